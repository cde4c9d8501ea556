// The incident board: drawn from /api/v1/board, polled every 5 s; the countdowns tick every second
// against the server's clock (the offset is taken from each poll), so no reload is ever needed.
(function () {
  "use strict";
  const canAct = JSON.parse((document.getElementById("board-can-act") || {}).textContent || "false") === true;
  const POLL_MS = 5000;
  let data = JSON.parse(document.getElementById("board-data").textContent);
  let offsetMs = Date.parse(data.now) - Date.now();
  let selected = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const words = (s) => (s || "").replaceAll("_", " ");
  const local = (iso) => iso ? new Date(iso).toLocaleString("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "short" }) : "—";

  function countdown(seconds) {
    const neg = seconds < 0, s = Math.abs(Math.trunc(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const text = (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(sec).padStart(2, "0");
    return neg ? "−" + text + " over" : text;
  }

  function state(inc, nowMs) {
    if (!inc.attend_by) return { cls: "none", left: null };
    if (inc.arrived_at) return { cls: Date.parse(inc.arrived_at) <= Date.parse(inc.attend_by) ? "met" : "breached", left: null };
    const left = (Date.parse(inc.attend_by) - nowMs) / 1000;
    return { cls: left < 0 ? "breached" : left <= 300 ? "about_to_breach" : "running", left };
  }

  async function post(url, body) {
    const res = await fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
    if (!res.ok) {
      let detail = res.status + "";
      try { detail = (await res.json()).detail; } catch (e) { /* not JSON */ }
      throw new Error(detail);
    }
    return res.json();
  }

  function showError(text) {
    const e = document.getElementById("board-error");
    e.textContent = text || ""; e.hidden = !text;
  }

  async function stage(incId, unitId, name) {
    try { await post(`/api/v1/incidents/${incId}/units/${unitId}/${name}`); showError(""); await refresh(); }
    catch (err) { showError(err.message); }
  }

  function unitCell(inc) {
    const td = el("td", { class: "units" });
    for (const u of inc.units || []) {
      const chip = el("span", { class: "unit-chip", "data-unit": u.call_sign }, u.call_sign + " ");
      if (canAct) {
        if (!u.enroute_at && !u.arrived_at) chip.append(el("button", { type: "button", class: "enroute", onclick: () => stage(inc.id, u.unit_id, "en-route") }, "En route"));
        if (!u.arrived_at) chip.append(el("button", { type: "button", class: "arrived", onclick: () => stage(inc.id, u.unit_id, "arrived") }, "Arrived"));
        else chip.append(el("button", { type: "button", class: "secondary clear", onclick: () => stage(inc.id, u.unit_id, "clear") }, "Clear"));
      }
      td.append(chip);
    }
    return td;
  }

  function render() {
    const nowMs = Date.now() + offsetMs;
    const body = document.getElementById("board-body");
    const rows = data.incidents.map((inc) => {
      const st = state(inc, nowMs);
      const tr = el("tr", { id: "inc-" + inc.id, class: st.cls, "data-attend-by": inc.attend_by || "", "data-arrived": inc.arrived_at || "" },
        el("td", {}, el("span", { class: "grade grade-" + inc.grade }, String(inc.grade))),
        el("td", {}, inc.contact_id ? el("a", { href: "/contacts/" + inc.contact_id }, String(inc.id)) : String(inc.id)),
        el("td", {}, local(inc.received_at)),
        el("td", {}, (inc.location.description || "—") + (inc.location.urban ? "" : " (rural)")),
        el("td", {}, ...inc.flags.map((f) => el("span", { class: "flag" }, words(f)))),
        el("td", { class: "status" }, words(inc.status)),
        el("td", { class: "left" }, ""),
        unitCell(inc));
      if (canAct) {
        tr.append(el("td", {},
          el("button", { type: "button", class: "dispatch", onclick: () => openDispatch(inc.id) }, "Dispatch…"),
          el("button", { type: "button", class: "secondary close", onclick: () => closeIncident(inc.id) }, "Close")));
      }
      return tr;
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "9", class: "muted" }, "No open incidents.")));
    body.replaceChildren(...rows);
    const ub = document.getElementById("units-body");
    ub.replaceChildren(...data.units.map((u) => el("tr", { id: "unit-" + u.id },
      el("td", {}, u.call_sign), el("td", {}, words(u.unit_type)),
      el("td", { class: "status-" + u.status }, words(u.status) + (u.on_shift ? "" : " (off shift)")),
      el("td", {}, u.incident_id ? String(u.incident_id) : ""))));
    tick();
  }

  function tick() {
    const nowMs = Date.now() + offsetMs;
    for (const tr of document.querySelectorAll("#board-body tr[data-attend-by]")) {
      const inc = { attend_by: tr.dataset.attendBy || null, arrived_at: tr.dataset.arrived || null };
      const st = state(inc, nowMs);
      tr.classList.remove("running", "about_to_breach", "breached", "met", "none");
      tr.classList.add(st.cls);
      const cell = tr.querySelector("td.left");
      cell.textContent = st.left === null ? (inc.arrived_at ? (st.cls === "met" ? "met" : "late") : "—") : countdown(st.left);
    }
    document.getElementById("board-updated").textContent = "updated " + new Date(nowMs).toLocaleTimeString("en-GB", { timeZone: "Europe/London" });
  }

  async function refresh() {
    try {
      const res = await fetch("/api/v1/board", { credentials: "same-origin" });
      if (!res.ok) throw new Error("the board could not be refreshed (" + res.status + ")");
      data = await res.json();
      offsetMs = Date.parse(data.now) - Date.now();
      render();
    } catch (err) { showError(err.message); }
  }

  async function openDispatch(incId) {
    selected = incId;
    const panel = document.getElementById("dispatch-panel");
    document.getElementById("dp-incident").textContent = incId;
    document.getElementById("dp-reason").value = "";
    document.getElementById("dp-error").hidden = true;
    const res = await fetch(`/api/v1/incidents/${incId}/recommendation`, { credentials: "same-origin" });
    const rec = await res.json();
    if (!res.ok) { showError(rec.detail); return; }
    document.getElementById("dp-warnings").replaceChildren(...rec.warnings.map((w) => el("li", {}, w)));
    const tbody = document.querySelector("#dp-candidates tbody");
    tbody.replaceChildren(...rec.candidates.map((c, i) => el("tr", {},
      el("td", {}, (() => { const r = el("input", { type: "radio", name: "dp-unit", value: String(c.unit_id), id: "dp-unit-" + c.unit_id }); if (i === 0) r.checked = true; return r; })()),
      el("td", {}, el("label", { for: "dp-unit-" + c.unit_id }, c.call_sign + (i === 0 ? " (recommended)" : "") + (c.reserved_for ? " — best for grade-1 incident " + c.reserved_for : ""))),
      el("td", {}, words(c.unit_type)),
      el("td", {}, c.distance_km === null ? "—" : c.distance_km + " km"),
      el("td", {}, c.eta_s === null ? "—" : Math.round(c.eta_s / 60) + " min"),
      el("td", {}, c.makes_target === null ? "—" : c.makes_target ? "yes" : "no"))));
    panel.hidden = false;
  }

  async function sendDispatch() {
    const chosen = document.querySelector("input[name=dp-unit]:checked");
    const err = document.getElementById("dp-error");
    if (!chosen) { err.textContent = "choose a unit"; err.hidden = false; return; }
    const reason = document.getElementById("dp-reason").value.trim();
    try {
      await post(`/api/v1/incidents/${selected}/dispatch`, { unit_id: Number(chosen.value), reason: reason || null });
      document.getElementById("dispatch-panel").hidden = true;
      await refresh();
    } catch (e) { err.textContent = e.message; err.hidden = false; }
  }

  async function closeIncident(incId) {
    if (!window.confirm("Close incident " + incId + "?")) return;
    try { await post(`/api/v1/incidents/${incId}/close`); showError(""); await refresh(); }
    catch (e) { showError(e.message); }
  }

  if (canAct) {
    document.getElementById("dp-send").addEventListener("click", sendDispatch);
    document.getElementById("dp-cancel").addEventListener("click", () => { document.getElementById("dispatch-panel").hidden = true; });
  }
  render();
  setInterval(tick, 1000);
  setInterval(refresh, POLL_MS);
})();
