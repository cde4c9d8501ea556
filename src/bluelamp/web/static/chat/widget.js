/* bluelamp public chat widget: one script tag adds a "Chat with us" button and panel.
 *
 * Plain WebSockets. Every message carries its chat's sequence number; the widget keeps the highest
 * contiguous one it holds and asks for everything after it on each (re)connect, and resends its own
 * unacknowledged messages with the same client id, which the server stores only once: a dropped
 * connection loses and duplicates nothing. Text is only ever inserted with textContent.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src, location.href).origin : location.origin;
  var exitUrl = (script && script.getAttribute("data-exit-url")) || "https://www.bbc.co.uk/weather";
  var KEY = "bluelamp-chat";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var css = el("link", { rel: "stylesheet", href: base + "/static/chat/widget.css" });
  document.head.appendChild(css);

  // ---- state (kept in sessionStorage: this tab only, cleared by quick exit) ----
  var st = { token: null, reference: null, pending: [], contiguous: 0 };
  try { Object.assign(st, JSON.parse(sessionStorage.getItem(KEY) || "{}")); } catch (e) { /* fresh */ }
  var seen = {};          // seq -> true
  var ws = null, backoff = 500, ended = false, retryTimer = null, ackTimer = null;
  function save() { sessionStorage.setItem(KEY, JSON.stringify({ token: st.token, reference: st.reference, pending: st.pending, contiguous: st.contiguous })); }

  // ---- the panel ----
  var launch = el("button", { type: "button", "class": "bl-launch", id: "bl-launch", "aria-haspopup": "dialog" }, "Chat with us");
  var panel = el("section", { "class": "bl-panel", id: "bl-panel", role: "dialog", "aria-label": "Police live chat", hidden: "" });
  var head = el("div", { "class": "bl-head" });
  head.appendChild(el("h2", {}, "Police live chat"));
  var exitBtn = el("button", { type: "button", "class": "bl-quick-exit", id: "bl-quick-exit", title: "Leave this page now" }, "Quick exit");
  var minBtn = el("button", { type: "button", "class": "bl-min", id: "bl-minimise", "aria-label": "Minimise chat" }, "–");
  head.appendChild(exitBtn); head.appendChild(minBtn);
  var emergency = el("div", { "class": "bl-emergency", id: "bl-emergency", role: "alert", hidden: "" });
  // Focusable, so keyboard users can scroll back through the conversation.
  var body = el("div", { "class": "bl-body", tabindex: "0", role: "region", "aria-label": "Conversation" });
  var status = el("p", { "class": "bl-status", id: "bl-status", role: "status" });

  var intro = el("form", { "class": "bl-intro", id: "bl-intro" });
  intro.appendChild(el("p", {}, "If you or someone else is in danger now, call 999. You don't need an account, and your details are optional."));
  [["name", "Your name (optional)", "text", "name"], ["phone", "Phone (optional)", "tel", "tel"], ["email", "Email (optional)", "email", "email"]].forEach(function (f) {
    var id = "bl-" + f[0];
    intro.appendChild(el("label", { "for": id }, f[1]));
    intro.appendChild(el("input", { id: id, name: f[0], type: f[2], autocomplete: f[3], maxlength: "200" }));
  });
  var startBtn = el("button", { type: "submit", "class": "bl-primary", id: "bl-start" }, "Start chat");
  intro.appendChild(el("p", {})).appendChild(startBtn);
  var introError = el("p", { "class": "bl-error", role: "alert" });
  intro.appendChild(introError);

  var log = el("ol", { "class": "bl-log", id: "bl-log", "aria-live": "polite", "aria-label": "Messages" });
  var compose = el("form", { "class": "bl-compose", id: "bl-compose", hidden: "" });
  var inputLabel = el("label", { "for": "bl-input", "class": "bl-sr" }, "Your message");
  var input = el("textarea", { id: "bl-input", maxlength: "2000", placeholder: "Type your message", rows: "2" });
  var sendBtn = el("button", { type: "submit", "class": "bl-primary", id: "bl-send" }, "Send");
  compose.appendChild(inputLabel); compose.appendChild(input); compose.appendChild(sendBtn);
  var tools = el("div", { "class": "bl-tools", id: "bl-tools", hidden: "" });
  var transcriptBtn = el("button", { type: "button", "class": "bl-secondary", id: "bl-transcript" }, "Get a transcript");
  var endBtn = el("button", { type: "button", "class": "bl-secondary", id: "bl-end" }, "End chat");
  var newBtn = el("button", { type: "button", "class": "bl-secondary", id: "bl-new", hidden: "" }, "Start a new chat");
  tools.appendChild(transcriptBtn); tools.appendChild(endBtn); tools.appendChild(newBtn);

  // The emergency banner sits between the header and the scrolling messages: a flex item of the panel,
  // not of the log, so scrolling to the newest message can never carry it out of sight.
  body.appendChild(intro); body.appendChild(log);
  panel.appendChild(head); panel.appendChild(emergency); panel.appendChild(body); panel.appendChild(status); panel.appendChild(compose); panel.appendChild(tools);
  document.body.appendChild(launch); document.body.appendChild(panel);

  function open() { launch.hidden = true; panel.hidden = false; (st.token ? input : panel.querySelector("#bl-name")).focus(); }
  function minimise() { panel.hidden = true; launch.hidden = false; launch.focus(); }
  launch.addEventListener("click", open);
  minBtn.addEventListener("click", minimise);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") minimise(); });

  // Quick exit: forget the chat in this tab, drop the socket, replace the page (Back does not return).
  function quickExit() {
    try { sessionStorage.removeItem(KEY); } catch (e) { /* ignore */ }
    ended = true;
    if (ws) { try { ws.close(); } catch (e) { /* ignore */ } }
    document.body.style.display = "none";
    location.replace(exitUrl);
  }
  exitBtn.addEventListener("click", quickExit);

  // ---- rendering ----
  function render(m) {
    if (m.kind === "emergency") {
      emergency.textContent = "";
      var call = emergency.appendChild(el("a", { href: "tel:999", "class": "bl-call" }));
      call.appendChild(el("strong", {}, "Call 999 now."));
      emergency.appendChild(document.createTextNode(" " + m.body.replace(/^Call 999 now\.\s*/, "")));
      emergency.hidden = false;
    }
    var cls = m.sender === "citizen" ? "bl-citizen" : m.sender === "operator" ? "bl-operator" : "bl-system";
    var li = el("li", { "class": cls, "data-seq": String(m.seq) });
    if (m.sender === "operator") li.appendChild(el("span", { "class": "bl-who" }, m.author || "Police"));
    li.appendChild(document.createTextNode(m.body));
    // Insert in sequence order (a resend after reconnecting may arrive after newer live messages).
    var after = null;
    Array.prototype.forEach.call(log.querySelectorAll("li[data-seq]"), function (x) { if (+x.getAttribute("data-seq") < m.seq) after = x; });
    var firstPending = log.querySelector("li.bl-pending");
    if (after) after.after(li); else log.insertBefore(li, log.querySelector("li[data-seq]") || firstPending);
    body.scrollTop = body.scrollHeight;
  }
  function renderPending(p) {
    var li = el("li", { "class": "bl-citizen bl-pending", "data-client": p.client_id }, p.body);
    li.appendChild(el("span", { "class": "bl-who" }, "Sending…"));
    log.appendChild(li);
    body.scrollTop = body.scrollHeight;
  }
  function onMessage(m) {
    if (m.client_id) {
      st.pending = st.pending.filter(function (p) { return p.client_id !== m.client_id; });
      var pend = log.querySelector('li.bl-pending[data-client="' + CSS.escape(m.client_id) + '"]');
      if (pend) pend.remove();
    }
    if (seen[m.seq]) { save(); return; }   // already shown: a resend after reconnecting
    seen[m.seq] = true;
    render(m);
    // The first words put the chat in the queue: ask at once where it stands.
    if (m.sender === "citizen" && !statusAsked) { statusAsked = true; setTimeout(function () { send({ type: "status" }); }, 300); }
    while (seen[st.contiguous + 1]) st.contiguous += 1;
    save();
    clearTimeout(ackTimer);
    ackTimer = setTimeout(function () { send({ type: "ack", seq: st.contiguous }); }, 200);
  }
  var statusTimer = null, statusAsked = false;
  function onStatus(s) {
    st.reference = s.reference;
    clearTimeout(statusTimer);
    if (s.status === "closed") return finished();
    var who;
    if (s.operator) who = "You are chatting with " + s.operator + ".";
    else if (s.position) who = (s.position === 1 ? "You are next in the queue." : "You are number " + s.position + " in the queue.") + " Please stay on this page.";
    else who = "Waiting for the next available member of staff…";
    status.textContent = who + " Reference " + s.reference + ".";
    // While waiting, ask again now and then: the place in the queue moves as others are answered.
    if (!s.operator) statusTimer = setTimeout(function () { send({ type: "status" }); }, 15000);
  }
  function finished() {
    ended = true;
    status.textContent = "This chat has ended" + (st.reference ? " (reference " + st.reference + ")" : "") + ".";
    compose.hidden = true; endBtn.hidden = true; newBtn.hidden = false;
    st.pending = []; save();
    if (ws) ws.close();
  }

  // ---- the socket ----
  function send(frame) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; } return false; }
  var holdUntil = 0;   // tests (and only tests) can hold the connection down for a while
  function connect() {
    if (!st.token || ended) return;
    if (Date.now() < holdUntil) { retryTimer = setTimeout(connect, holdUntil - Date.now()); return; }
    // The token goes in the first frame, never in the URL (URLs end up in access logs).
    ws = new WebSocket(base.replace(/^http/, "ws") + "/chat/ws");
    ws.onopen = function () {
      backoff = 500;
      send({ type: "hello", token: st.token, last_seq: st.contiguous });
      st.pending.forEach(function (p) { send({ type: "message", client_id: p.client_id, body: p.body }); });
    };
    ws.onmessage = function (ev) {
      var f; try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f.type === "message") onMessage(f);
      else if (f.type === "status") onStatus(f);
      else if (f.type === "resync") send({ type: "hello", last_seq: st.contiguous });
      else if (f.type === "error") onError(f);
    };
    ws.onclose = function () {
      ws = null;
      if (ended) return;
      status.textContent = "Connection lost: reconnecting… Your messages are kept and will be sent.";
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  function onError(f) {
    if (f.code === "unknown_chat") { sessionStorage.removeItem(KEY); st = { token: null, reference: null, pending: [], contiguous: 0 }; ended = true; status.textContent = "This chat has expired. Please start a new one."; newBtn.hidden = false; endBtn.hidden = true; compose.hidden = true; return; }
    if (f.code === "closed") return finished();
    var p = f.client_id && st.pending.filter(function (x) { return x.client_id === f.client_id; })[0];
    if (f.code === "rate_limited" && p) {
      status.textContent = "You are sending messages very quickly; we will send this one in a moment.";
      setTimeout(function () { send({ type: "message", client_id: p.client_id, body: p.body }); }, 2000);
      return;
    }
    if (p) {
      st.pending = st.pending.filter(function (x) { return x !== p; }); save();
      var pend = log.querySelector('li.bl-pending[data-client="' + CSS.escape(p.client_id) + '"]');
      if (pend) pend.remove();
      input.value = p.body;
    }
    status.textContent = f.detail || "That message could not be sent.";
  }

  function started() {
    intro.hidden = true; compose.hidden = false; tools.hidden = false; newBtn.hidden = true; endBtn.hidden = false;
    st.pending.forEach(renderPending);
    connect();
  }
  intro.addEventListener("submit", function (e) {
    e.preventDefault();
    startBtn.disabled = true; introError.textContent = "";
    var details = {};
    ["name", "phone", "email"].forEach(function (k) { var v = intro.elements[k].value.trim(); if (v) details[k] = v; });
    fetch(base + "/api/v1/chat/start", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(details) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        startBtn.disabled = false;
        if (!res.ok) { introError.textContent = res.j.detail || "Could not start a chat. If you are in danger, call 999."; return; }
        st = { token: res.j.token, reference: res.j.reference, pending: [], contiguous: 0 }; seen = {}; ended = false; statusAsked = false; save();
        started(); input.focus();
      })
      .catch(function () { startBtn.disabled = false; introError.textContent = "Could not reach us. If you are in danger, call 999."; });
  });
  compose.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!st.token || ended) return;   // no chat yet (or it has ended): nothing can be sent
    var text = input.value;
    if (!text.trim()) return;
    if (text.length > 2000) { status.textContent = "Please keep each message under 2,000 characters."; return; }
    var p = { client_id: newId(), body: text };
    st.pending.push(p); save(); renderPending(p);
    input.value = "";
    send({ type: "message", client_id: p.client_id, body: p.body });
  });
  input.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); compose.requestSubmit(); } });
  endBtn.addEventListener("click", function () { send({ type: "end" }); });
  newBtn.addEventListener("click", function () {
    sessionStorage.removeItem(KEY); st = { token: null, reference: null, pending: [], contiguous: 0 }; seen = {}; ended = false;
    log.textContent = ""; emergency.hidden = true; status.textContent = ""; newBtn.hidden = true; endBtn.hidden = false;
    compose.hidden = true; tools.hidden = true; intro.hidden = false; startBtn.focus();
  });
  transcriptBtn.addEventListener("click", function () {
    fetch(base + "/api/v1/chat/transcript", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: st.token }) })
      .then(function (r) { if (!r.ok) throw new Error(); return r.text(); })
      .then(function (text) {
        var a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })), download: "chat-transcript.txt", id: "bl-transcript-link" }, "Download your transcript");
        var old = document.getElementById("bl-transcript-link"); if (old) old.remove();
        tools.appendChild(a); a.focus();
        status.textContent = "Your transcript is ready. Think about where you save it if someone else uses this device.";
      })
      .catch(function () { status.textContent = "The transcript could not be made just now."; });
  });

  // After a reload in the same tab, show the whole conversation again.
  if (st.token) { st.contiguous = 0; launch.hidden = true; panel.hidden = false; started(); }
  window.bluelampChat = {
    state: function () { return st; },
    dropConnection: function (holdMs) { holdUntil = Date.now() + (holdMs || 0); if (ws) ws.close(); },
    connected: function () { return !!ws && ws.readyState === 1; }
  };
})();
