/* bluelamp chat console: the queue (risk, then waiting), my chats, alerts and the supervisor view.
 * One socket (/chat/ws/operator, signed-in session cookie). Every chat's messages carry sequence
 * numbers: on reconnect the console asks for what it missed. Text only ever goes in via textContent.
 */
(function () {
  "use strict";
  var root = document.getElementById("console");
  var supervisor = root.getAttribute("data-supervisor") === "true";
  var contactsOpen = root.getAttribute("data-contacts") === "true";   // only links this role can open
  var ws = null, backoff = 500, me = null, canned = [], outcomes = [], operators = [], refSeq = 0;
  var queue = {}, active = {}, panels = {};   // chat id -> summary / panel state

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function newId() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }
  function send(f) { if (ws && ws.readyState === 1) { f.ref = ++refSeq; ws.send(JSON.stringify(f)); } }
  function setStatus(t) { document.getElementById("conn-status").textContent = t; }
  function waited(iso) {
    if (!iso) return "";
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + " s" : Math.floor(s / 60) + " min " + (s % 60) + " s";
  }
  function flagWords(flags) {
    return (flags || []).map(function (f) { var w = f.replace(/_/g, " "); return w.charAt(0).toUpperCase() + w.slice(1); }).join(", ");
  }
  function gradeBadge(g) { return el("span", { "class": "grade grade-" + g }, String(g)); }

  // ---- queue & supervisor tables ----
  function order(a, b) {
    return (b.emergency - a.emergency) || (a.risk_grade - b.risk_grade) || (Date.parse(a.queued_at) - Date.parse(b.queued_at)) || (a.id - b.id);
  }
  function drawQueue() {
    var rows = Object.keys(queue).map(function (k) { return queue[k]; }).sort(order);
    var tb = document.querySelector("#queue tbody"); tb.textContent = "";
    rows.forEach(function (c) {
      var tr = el("tr", { "data-chat": String(c.id), "class": c.emergency ? "emergency" : "" });
      var td = el("td"); td.appendChild(gradeBadge(c.risk_grade)); tr.appendChild(td);
      tr.appendChild(el("td", {}, c.reference + (c.emergency ? " EMERGENCY" : "")));
      tr.appendChild(el("td", {}, flagWords(c.flags)));
      tr.appendChild(el("td", { "class": "wait", "data-since": c.queued_at || "" }, waited(c.queued_at)));
      var b = el("button", { type: "button", "class": "take" }, "Take");
      b.addEventListener("click", function () { send({ type: "take", chat_id: c.id }); });
      var td2 = el("td"); td2.appendChild(b); tr.appendChild(td2);
      tb.appendChild(tr);
    });
    document.getElementById("queue-count").textContent = String(rows.length);
  }
  function drawActive() {
    if (!supervisor) return;
    var tb = document.querySelector("#active tbody"); tb.textContent = "";
    Object.keys(active).map(function (k) { return active[k]; }).sort(order).forEach(function (c) {
      var tr = el("tr", { "data-chat": String(c.id) });
      var td = el("td"); td.appendChild(gradeBadge(c.risk_grade)); tr.appendChild(td);
      tr.appendChild(el("td", {}, c.reference));
      tr.appendChild(el("td", {}, c.operator || ""));
      tr.appendChild(el("td", {}, flagWords(c.flags)));
      var b = el("button", { type: "button", "class": "view secondary" }, "View");
      b.addEventListener("click", function () { send({ type: "open", chat_id: c.id, last_seq: 0 }); });
      var td2 = el("td"); td2.appendChild(b); tr.appendChild(td2);
      tb.appendChild(tr);
    });
  }
  function onSummary(c) {
    delete queue[c.id]; delete active[c.id];
    if (c.status === "waiting") queue[c.id] = c;
    if (c.status === "active") active[c.id] = c;
    drawQueue(); drawActive();
    if (panels[c.id]) updateHead(panels[c.id], c);
  }
  setInterval(function () {
    Array.prototype.forEach.call(document.querySelectorAll("#queue td.wait"), function (td) { td.textContent = waited(td.getAttribute("data-since")); });
  }, 1000);

  // ---- alerts ----
  function onAlert(a) {
    if (!supervisor) return;
    var list = document.getElementById("alerts");
    var old = list.querySelector('li[data-alert="' + a.id + '"]'); if (old) old.remove();
    if (a.acknowledged_by) return;
    var li = el("li", { "data-alert": String(a.id) });
    li.appendChild(el("strong", {}, a.kind === "online_emergency" ? "Online report emergency " :
      a.kind === "chat_unanswered" ? "Emergency chat still unanswered " : "Chat emergency "));
    li.appendChild(document.createTextNode((a.reference || ("contact " + a.contact_id)) + ": " + (a.reasons || []).slice(-1).join("; ") + " "));
    var b = el("button", { type: "button", "class": "ack" }, "Acknowledge");
    b.addEventListener("click", function () { send({ type: "ack_alert", alert_id: a.id }); });
    li.appendChild(b);
    list.appendChild(li);
  }

  // ---- chat panels ----
  function openPanel(chat, mine) {
    var p = panels[chat.id];
    if (!p) {
      var node = document.getElementById("chat-panel").content.firstElementChild.cloneNode(true);
      node.setAttribute("data-chat", String(chat.id)); node.id = "chat-" + chat.id;
      var tab = el("button", { type: "button", role: "tab", "data-chat": String(chat.id) }, chat.reference);
      tab.addEventListener("click", function () { select(chat.id); });
      document.getElementById("tabs").appendChild(tab);
      document.getElementById("panels").appendChild(node);
      p = panels[chat.id] = { id: chat.id, node: node, tab: tab, seen: {}, contiguous: 0 };
      wirePanel(p);
    }
    p.node.classList.toggle("readonly", !mine);
    updateHead(p, chat);
    updatePerson(p, chat);
    (chat.messages || []).forEach(function (m) { addMessage(p, m); });
    select(chat.id);
    document.getElementById("no-chats").hidden = true;
    return p;
  }
  function select(id) {
    Object.keys(panels).forEach(function (k) {
      var on = String(k) === String(id);
      panels[k].node.hidden = !on; panels[k].tab.setAttribute("aria-selected", on ? "true" : "false");
    });
  }
  function updateHead(p, c) {
    var n = p.node;
    n.querySelector(".ref").textContent = c.reference + (c.emergency ? " · EMERGENCY" : "");
    var g = n.querySelector(".chat-head .grade"); g.className = "grade grade-" + c.risk_grade; g.textContent = String(c.risk_grade);
    n.querySelector(".route").textContent = c.suggested_route ? "suggested: " + c.suggested_route : "";
    var flags = n.querySelector(".flags"); flags.textContent = "";
    (c.flags || []).forEach(function (f) { flags.appendChild(el("span", { "class": "flag" }, f.replace(/_/g, " "))); });
    var reasons = n.querySelector(".reasons"); reasons.textContent = "";
    (c.reasons || []).forEach(function (r) { reasons.appendChild(el("li", {}, r)); });
    n.querySelector(".presence").textContent = c.citizen_connected === false ? "· person disconnected" : "";
    p.tab.classList.toggle("emergency", !!c.emergency);
    if (c.contact_id) showResult(p, "Recorded as contact " + c.contact_id, c.contact_id);
    if (c.status === "closed") { p.node.classList.add("readonly"); showResult(p, "Closed: " + (c.outcome || "").replace(/_/g, " ")); }
  }
  function updatePerson(p, c) {
    var parts = [c.name, c.phone, c.email].filter(Boolean);
    p.node.querySelector(".person").textContent = parts.length ? "Details: " + parts.join(" · ") : "No details given";
    var m = p.node.querySelector(".matching"); m.textContent = "";
    if (c.matching) {
      (c.matching.reasons || []).forEach(function (r) { m.appendChild(el("span", { "class": "flag vuln" }, r)); });
      (c.matching.household || []).forEach(function (h) { m.appendChild(el("span", { "class": "flag vuln" }, "household: " + (h.markers || []).join(", "))); });
      if (!(c.matching.reasons || []).length && !(c.matching.household || []).length) m.appendChild(el("span", { "class": "muted" }, "No earlier contacts found."));
    }
  }
  function addMessage(p, m) {
    if (p.seen[m.seq]) return;
    p.seen[m.seq] = true;
    while (p.seen[p.contiguous + 1]) p.contiguous += 1;
    var cls = m.kind === "emergency" ? "emergency" : m.sender;
    var li = el("li", { "class": cls, "data-seq": String(m.seq) });
    var who = m.sender === "citizen" ? "Person" : m.sender === "operator" ? (m.author || "Operator") : "System";
    li.appendChild(el("span", { "class": "who" }, who));
    li.appendChild(document.createTextNode(m.body));
    var log = p.node.querySelector(".log"), after = null;
    Array.prototype.forEach.call(log.children, function (x) { if (+x.getAttribute("data-seq") < m.seq) after = x; });
    if (after) after.after(li); else log.insertBefore(li, log.firstChild);
    log.scrollTop = log.scrollHeight;
  }
  function showResult(p, text, contactId) {
    var r = p.node.querySelector(".result"); r.textContent = text + " ";
    if (contactId && contactsOpen) r.appendChild(el("a", { href: "/contacts/" + contactId, "class": "contact-link" }, "Open contact " + contactId));
  }
  function wirePanel(p) {
    var n = p.node, sel = n.querySelector(".canned"), out = n.querySelector(".outcome");
    canned.forEach(function (c) { sel.appendChild(el("option", { value: c.id }, c.title)); });
    outcomes.forEach(function (o) { out.appendChild(el("option", { value: o }, o.replace(/_/g, " "))); });
    sel.addEventListener("change", function () {
      var c = canned.filter(function (x) { return x.id === sel.value; })[0];
      if (c) n.querySelector(".body").value = c.text;
    });
    n.querySelector(".reply").addEventListener("submit", function (e) {
      e.preventDefault();
      var box = n.querySelector(".body"); if (!box.value.trim()) return;
      send({ type: "send", chat_id: p.id, client_id: newId(), body: box.value }); box.value = ""; sel.value = "";
    });
    n.querySelector(".convert").addEventListener("click", function () { send({ type: "convert", chat_id: p.id }); });
    fillOperators(n.querySelector(".to-user"));
    n.querySelector(".to-user").addEventListener("focus", function () { send({ type: "operators" }); });
    n.querySelector(".transfer").addEventListener("click", function () {
      var to = parseInt(n.querySelector(".to-user").value, 10);
      if (to) send({ type: "transfer", chat_id: p.id, to_user_id: to });
      else setStatus("Choose who to transfer the chat to.");
    });
    n.querySelector(".close").addEventListener("click", function () { send({ type: "close", chat_id: p.id, outcome: out.value }); });
  }
  // The transfer list: operators by name with how many chats they hold (never a typed user id).
  function fillOperators(sel) {
    var keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    operators.forEach(function (o) {
      var label = o.username + " (" + o.active + " of " + o.limit + " chats" + (o.full ? ", full" : "") + ")";
      var opt = el("option", { value: String(o.user_id) }, label);
      if (o.full) opt.disabled = true;
      sel.appendChild(opt);
    });
    sel.value = keep;
  }
  function onOperators(list) {
    operators = list || [];
    Array.prototype.forEach.call(document.querySelectorAll("select.to-user"), fillOperators);
  }
  function closePanel(id) {
    var p = panels[id]; if (!p) return;
    p.node.remove(); p.tab.remove(); delete panels[id];
    var left = Object.keys(panels); if (left.length) select(left[0]); else document.getElementById("no-chats").hidden = false;
  }

  // ---- socket ----
  function onFrame(f) {
    switch (f.type) {
      case "snapshot":
        me = f.me; canned = f.canned; outcomes = f.outcomes; queue = {}; active = {};
        onOperators(f.operators);
        f.queue.forEach(function (c) { queue[c.id] = c; });
        f.active.forEach(function (c) { active[c.id] = c; });
        drawQueue(); drawActive();
        (f.alerts || []).forEach(onAlert);
        f.mine.forEach(function (id) { send({ type: "open", chat_id: id, last_seq: panels[id] ? panels[id].contiguous : 0 }); });
        Object.keys(panels).forEach(function (id) { if (f.mine.indexOf(+id) < 0 && !supervisor) closePanel(id); });
        setStatus("Connected as " + me.username + (me.supervisor ? " (supervisor)" : "") + ".");
        break;
      case "chat": onSummary(f.chat); break;
      case "chat_view": openPanel(f.chat, f.chat.operator_id === me.user_id && f.chat.status === "active"); break;
      case "assigned": send({ type: "open", chat_id: f.chat_id, last_seq: panels[f.chat_id] ? panels[f.chat_id].contiguous : 0 }); break;
      case "unassigned": if (!supervisor) closePanel(f.chat_id); else if (panels[f.chat_id]) panels[f.chat_id].node.classList.add("readonly"); break;
      case "message": if (panels[f.chat_id]) addMessage(panels[f.chat_id], f); break;
      case "presence": if (panels[f.chat_id]) panels[f.chat_id].node.querySelector(".presence").textContent = f.connected ? "" : "· person disconnected"; break;
      case "details": if (panels[f.chat_id]) updatePerson(panels[f.chat_id], f); send({ type: "open", chat_id: f.chat_id, last_seq: panels[f.chat_id] ? panels[f.chat_id].contiguous : 0 }); break;
      case "converted":
        if (panels[f.chat_id]) showResult(panels[f.chat_id], "Recorded as contact " + f.id + " (" + f.reference + "): grade " + f.assessment.grade + ", " + f.assessment.route + ".", f.id);
        break;
      case "closed": closePanel(f.chat_id); break;
      case "transferred": closePanel(f.chat_id); break;
      case "alert": onAlert(f.alert); break;
      case "operators": onOperators(f.operators); break;
      case "online_report":
        var li = el("li", { "data-contact": String(f.contact_id) });
        li.appendChild(gradeBadge(f.grade)); li.appendChild(document.createTextNode(" "));
        li.appendChild(contactsOpen ? el("a", { href: "/contacts/" + f.contact_id }, "Contact " + f.contact_id + " (" + f.reference + ")")
          : el("span", {}, "Contact " + f.contact_id + " (" + f.reference + ")"));
        li.appendChild(document.createTextNode(" " + (f.flags || []).join(", ")));
        document.getElementById("online-reports").prepend(li);
        break;
      case "resync":
        send({ type: "hello" });
        break;
      case "error": setStatus("Not done: " + f.detail); break;
    }
  }
  function connect() {
    ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/chat/ws/operator");
    ws.onopen = function () { backoff = 500; };   // the server sends a snapshot straight away
    ws.onmessage = function (ev) { try { onFrame(JSON.parse(ev.data)); } catch (e) { /* ignore a bad frame */ } };
    ws.onclose = function () {
      setStatus("Connection lost: reconnecting…");
      setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 10000);
    };
  }
  document.getElementById("take-next").addEventListener("click", function () { send({ type: "take" }); });
  connect();
})();
