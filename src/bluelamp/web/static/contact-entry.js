// The call-taking screen: the live proposal (POST /api/v1/triage, stateless), the key questions as
// yes / no / unknown controls, the person-matching suggestions, the length counter and the shortcuts.
(function () {
  "use strict";
  const form = document.getElementById("contact-form");
  if (!form) return;
  const byId = (id) => document.getElementById(id);
  const questionKeys = JSON.parse(form.dataset.questions || "{}"); // question text -> answer key
  const maxNarrative = parseInt(form.dataset.maxNarrative || "20000", 10);
  const answerRows = Array.from(form.querySelectorAll(".ct-q"));
  const defaultLabels = {};
  for (const row of answerRows) defaultLabels[row.dataset.answer] = row.querySelector(".ct-qtext").textContent;
  let timer = null, seq = 0;

  function parseDob(text) {
    const t = (text || "").trim();
    let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
    if (m) return `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}`;
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
    return m ? t : null;
  }

  function body() {
    const f = new FormData(form);
    const data = { channel: f.get("channel") || "999", narrative: (f.get("narrative") || "").slice(0, maxNarrative) };
    data.location = { urban: !f.get("rural") };
    const answers = {};
    for (const [k, v] of f.entries()) {
      if (k.startsWith("answer_") && (v === "yes" || v === "no")) answers[k.slice(7)] = v === "yes";
    }
    if (Object.keys(answers).length) data.answers = answers;
    return data;
  }
  function text(el, value) { byId(el).textContent = value; }

  async function refresh() {
    const data = body();
    if (!data.narrative.trim()) return;
    const mine = ++seq;
    let res;
    try {
      res = await fetch("/api/v1/triage", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(data), credentials: "same-origin" });
    } catch (e) { return; }
    if (mine !== seq || !res.ok) return;
    const a = await res.json();
    byId("proposal-empty").hidden = true;
    byId("proposal-body").hidden = false;
    const g = byId("p-grade");
    g.textContent = a.grade; g.className = "grade grade-" + a.grade;
    text("p-grade-name", a.grade_name.replaceAll("_", " "));
    text("p-route", a.route);
    text("p-attend", a.attend_by ? "attend by " + new Date(a.attend_by).toLocaleTimeString("en-GB",
      { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit" }) : "no attendance clock");
    const flags = byId("p-flags"); flags.replaceChildren();
    for (const fl of a.flags) { const s = document.createElement("span"); s.className = "flag"; s.textContent = fl.replaceAll("_", " "); flags.appendChild(s); }
    const reasons = byId("p-reasons"); reasons.replaceChildren();
    for (const r of a.reasons) { const li = document.createElement("li"); li.textContent = r; reasons.appendChild(li); }
    text("p-referrals", a.referrals.length ? a.referrals.join(", ") : "none");
    byId("p-provisional").hidden = !a.provisional;
    // Open questions tied to an answer are asked inline, beside the narrative; the rest are listed.
    const open = {};
    const others = [];
    for (const q of a.questions || []) {
      const key = questionKeys[q];
      if (key && !open[key]) open[key] = q; else if (!key) others.push(q);
    }
    for (const row of answerRows) {
      const key = row.dataset.answer;
      row.querySelector(".ct-qtext").textContent = open[key] || defaultLabels[key];
      row.classList.toggle("ask", Boolean(open[key]));
    }
    const qs = byId("p-questions"); qs.replaceChildren();
    for (const q of others) { const li = document.createElement("li"); li.textContent = q; qs.appendChild(li); }
    byId("p-questions-box").hidden = !others.length;
  }

  // The narrative is never cut: too long a paste is told, and recording refuses it with the text kept.
  function count() {
    const n = byId("narrative").value.length;
    const el = byId("narrative-count");
    el.textContent = n > maxNarrative * 0.8 ? `${n.toLocaleString("en-GB")} / ${maxNarrative.toLocaleString("en-GB")} characters` +
      (n > maxNarrative ? ": too long to record, shorten it" : "") : "";
    el.classList.toggle("error", n > maxNarrative);
  }

  // Person matching: what the force already knows about the person typed (a suggestion to confirm).
  const matchTimers = {};
  async function matches(prefix) {
    const box = byId(prefix + "-matches");
    const val = (f) => (byId(`${prefix}_${f}`) || { value: "" }).value.trim();
    const params = new URLSearchParams();
    const name = val("name"), phone = val("phone"), dob = parseDob(val("dob"));
    if (name.length < 2 && phone.replace(/\D/g, "").length < 6) { box.replaceChildren(); return; }
    if (name) params.set("name", name);
    if (phone) params.set("phone", phone);
    if (dob) params.set("dob", dob);
    let res;
    try { res = await fetch("/contacts/new/matches?" + params.toString(), { credentials: "same-origin" }); } catch (e) { return; }
    if (!res.ok) return;
    const found = await res.json();
    box.replaceChildren();
    if (found.note) { const p = document.createElement("p"); p.className = "muted"; p.textContent = found.note; box.appendChild(p); }
    for (const m of found.matches || []) {
      const div = document.createElement("div");
      div.className = "ct-match " + (m.links ? "links" : "suggest");
      const who = document.createElement("span");
      who.textContent = `${m.name || "no name"}${m.dob ? ", born " + m.dob : ""}${m.markers.length ? " · " + m.markers.join(", ").replaceAll("_", " ") : ""} · ${m.contacts} earlier contact${m.contacts === 1 ? "" : "s"}`;
      const why = document.createElement("span");
      why.className = "muted"; why.textContent = " — " + m.reason;
      div.append(who, why);
      if (m.confirm) {
        const b = document.createElement("button");
        b.type = "button"; b.className = "secondary ct-confirm"; b.textContent = "Same person: use record";
        b.addEventListener("click", () => {
          // The handler confirms with the caller; name with date of birth then links the record.
          for (const f of ["name", "dob", "phone", "address"]) {
            const input = byId(`${prefix}_${f}`);
            if (input && m[f] && (!input.value || f === "dob")) input.value = f === "dob" ? m.dob_display : m[f];
          }
          matches(prefix);
        });
        div.appendChild(b);
      }
      box.appendChild(div);
    }
  }
  for (const prefix of ["caller", "other"]) {
    for (const f of ["name", "phone", "dob"]) {
      const input = byId(`${prefix}_${f}`);
      if (!input) continue;
      input.addEventListener("input", () => { clearTimeout(matchTimers[prefix]); matchTimers[prefix] = setTimeout(() => matches(prefix), 300); });
    }
  }

  // Keyboard first: Y / N / U on a question answers it and moves to the next one.
  const keys = { KeyY: "yes", KeyN: "no", KeyU: "", Slash: "" };
  for (const [i, row] of answerRows.entries()) {
    row.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey || !(e.code in keys)) return;
      e.preventDefault();
      const radio = row.querySelector(`input[value="${keys[e.code]}"]`);
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      const next = answerRows[i + 1];
      if (next) focusRow(next); else byId("caller_name").focus();
    });
  }
  function focusRow(row) { (row.querySelector("input:checked") || row.querySelector("input")).focus(); }
  const jumps = {
    KeyC: () => (form.querySelector("input[name=channel]:checked") || byId("channel-999")).focus(),
    KeyN: () => byId("narrative").focus(),
    KeyL: () => byId("location_description").focus(),
    KeyQ: () => focusRow(form.querySelector(".ct-q.ask") || answerRows[0]),
    KeyP: () => byId("caller_name").focus(),
    KeyG: () => byId("decision_grade").focus(),
    KeyR: () => byId("decision_route").focus(),
    KeyW: () => byId("decision_reason").focus(),
  };
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); form.requestSubmit(); return; }
    if (e.altKey && !e.ctrlKey && !e.metaKey && jumps[e.code]) { e.preventDefault(); jumps[e.code](); }
  });

  let submitted = false;
  form.addEventListener("submit", (e) => {
    if (submitted) { e.preventDefault(); return; }   // a double Ctrl+Enter records once
    submitted = true;
    byId("record").disabled = true;
    byId("record").textContent = "Recording…";
  });
  form.addEventListener("input", (e) => {
    if (e.target.id === "narrative") count();
    if (e.target.id && e.target.id.match(/^(caller|other)_/)) return;
    clearTimeout(timer); timer = setTimeout(refresh, 250);
  });
  form.addEventListener("change", (e) => {
    if (e.target.id && e.target.id.match(/^(caller|other)_/)) return;
    clearTimeout(timer); timer = setTimeout(refresh, 50);
  });
  count();
  if (byId("narrative").value.trim()) refresh();
})();
