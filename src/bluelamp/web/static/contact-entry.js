// Live proposal while the handler types: posts the form to /api/v1/triage (stateless) and shows the result.
(function () {
  const form = document.getElementById("contact-form");
  if (!form) return;
  let timer = null, seq = 0;
  function body() {
    const f = new FormData(form);
    const data = { channel: f.get("channel"), narrative: f.get("narrative") || "" };
    data.location = { urban: !f.get("rural") };
    const answers = {};
    for (const [k, v] of f.entries()) {
      if (k.startsWith("answer_") && (v === "yes" || v === "no")) answers[k.slice(7)] = v === "yes";
    }
    if (Object.keys(answers).length) data.answers = answers;
    return data;
  }
  function text(el, value) { document.getElementById(el).textContent = value; }
  async function refresh() {
    const data = body();
    const mine = ++seq;
    const res = await fetch("/api/v1/triage", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data), credentials: "same-origin" });
    if (mine !== seq || !res.ok) return;
    const a = await res.json();
    document.getElementById("proposal-empty").hidden = true;
    document.getElementById("proposal-body").hidden = false;
    const g = document.getElementById("p-grade");
    g.textContent = a.grade; g.className = "grade grade-" + a.grade;
    text("p-grade-name", a.grade_name.replaceAll("_", " "));
    text("p-route", a.route);
    text("p-attend", a.attend_by ? "Attend by " + new Date(a.attend_by).toLocaleString("en-GB", { timeZone: "Europe/London" }) : "No attendance clock");
    const flags = document.getElementById("p-flags"); flags.replaceChildren();
    for (const fl of a.flags) { const s = document.createElement("span"); s.className = "flag"; s.textContent = fl.replaceAll("_", " "); flags.appendChild(s); }
    const reasons = document.getElementById("p-reasons"); reasons.replaceChildren();
    for (const r of a.reasons) { const li = document.createElement("li"); li.textContent = r; reasons.appendChild(li); }
    text("p-referrals", a.referrals.length ? a.referrals.join(", ") : "none");
    // Fail safe: a provisional proposal is the safe grade until the key questions settle it.
    const prov = document.getElementById("p-provisional");
    if (prov) prov.hidden = !a.provisional;
    const qs = document.getElementById("p-questions");
    if (qs) {
      qs.replaceChildren();
      for (const q of a.questions || []) { const li = document.createElement("li"); li.textContent = q; qs.appendChild(li); }
      document.getElementById("p-questions-box").hidden = !(a.questions || []).length;
    }
  }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 50); });
})();
