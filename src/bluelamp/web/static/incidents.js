// The dispatch board and the incident page.
// Board: drawn from /api/v1/board, polled every 5 s; the countdowns tick every second against the server's
// clock (the offset is taken from each poll). Grade 1 and breached incidents are pinned at the top; the
// dispatch and close panels open as a row directly under the incident chosen, so they are always in view.
// Incident page: stage times, regrade and close call the same JSON routes, then the page reloads its timeline.
(function () {
  "use strict";
  const json = (id, fallback) => { const e = document.getElementById(id); return e ? JSON.parse(e.textContent) : fallback; };
  const cfg = json("page-config", {});
  const mapConfig = json("map-config", null);
  const canAct = cfg.can_act === true || json("board-can-act", false) === true;
  const POLL_MS = 5000;

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
  const local = (iso) => iso ? new Date(iso).toLocaleString("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "short" }).replace(",", "") : "—";

  function countdown(seconds) {
    const neg = seconds < 0, s = Math.abs(Math.trunc(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const t = (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(sec).padStart(2, "0");
    return neg ? "−" + t + " over" : t;
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
      try { const d = (await res.json()).detail; detail = typeof d === "string" ? d : JSON.stringify(d); } catch (e) { /* not JSON */ }
      throw new Error(detail);
    }
    return res.json();
  }

  function showError(id, message) {
    const e = byId(id);
    if (!e) return;
    e.textContent = message || ""; e.hidden = !message;
  }

  // An element by id, also inside a panel that a redraw has taken out of the document for a moment.
  const detached = [];
  function byId(id) {
    const e = document.getElementById(id);
    if (e) return e;
    for (const p of detached) { const f = p.querySelector("#" + id); if (f) return f; }
    return null;
  }

  // --- closing (board and incident page) -------------------------------------------------------------
  function closeBody() {
    const code = byId("cp-code").value;
    const reason = byId("cp-reason").value.trim();
    const missing = [];
    if (!code) missing.push("choose a disposition");
    if (!reason) missing.push("give a reason in words");
    return { missing, body: { disposition_code: code, reason } };
  }

  // --- the incident page ----------------------------------------------------------------------------
  const pageEl = document.getElementById("incident-page");
  if (pageEl) {
    const incId = cfg.incident_id;
    const detail = json("incident-data", {});
    const reloadAfter = (p, errId) => p.then(() => window.location.reload()).catch((e) => showError(errId, e.message));
    for (const b of document.querySelectorAll("button[data-stage]")) {
      b.addEventListener("click", () => reloadAfter(post(`/api/v1/incidents/${incId}/units/${b.dataset.unit}/${b.dataset.stage}`), "page-error"));
    }
    const rg = document.getElementById("regrade-form");
    if (rg) {
      const grade = document.getElementById("rg-grade"), hint = document.getElementById("rg-hint");
      const hintText = () => {
        const down = (cfg.downgrades || []).includes(Number(grade.value));
        hint.textContent = down ? (cfg.supervisor ? "This reduces the response: it waits until another supervisor approves it." : "This reduces the response: a downgrade needs a supervisor.") : "";
      };
      grade.addEventListener("change", hintText); hintText();
      rg.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const reason = document.getElementById("rg-reason").value.trim();
        if (!reason) { showError("rg-error", "give a reason for the new grade"); return; }
        reloadAfter(post(`/api/v1/incidents/${incId}/regrade`, { grade: Number(grade.value), reason }), "rg-error");
      });
    }
    for (const b of document.querySelectorAll("#approval-form button[data-approve]")) {
      b.addEventListener("click", () => {
        const note = document.getElementById("pr-note").value.trim() || null;
        reloadAfter(post(`/api/v1/incidents/${incId}/approval`, { approve: b.dataset.approve === "yes", note }), "pr-error");
      });
    }
    const nf = document.getElementById("note-form");
    if (nf) {
      nf.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const text = document.getElementById("note-text").value.trim();
        if (!text) { showError("note-error", "write the note first"); return; }
        reloadAfter(post(`/api/v1/incidents/${incId}/notes`, { text }), "note-error");
      });
    }
    const cp = document.getElementById("close-form");
    if (cp) {
      cp.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const { missing, body } = closeBody();
        if (missing.length) { showError("cp-error", missing.join("; ")); return; }
        reloadAfter(post(`/api/v1/incidents/${incId}/close`, body), "cp-error");
      });
    }
    const mapEl = document.getElementById("map");
    if (mapEl && mapConfig && window.BluelampMap) {
      const loc = detail.location || {};
      const here = loc.lat !== null && loc.lat !== undefined ? [loc.lat, loc.lon] : null;
      const m = window.BluelampMap.create(mapEl, mapConfig, { center: here, zoom: here ? 11 : 9, noteElement: document.getElementById("map-note") });
      m.update({ now: json("page-now", null), incidents: [detail], units: json("units-data", []) });
    }
    return;
  }

  // --- the board ----------------------------------------------------------------------------------
  let data = json("board-data", { incidents: [], units: [], now: new Date().toISOString() });
  let offsetMs = Date.parse(data.now) - Date.now();
  let selected = null; // {id, panel: "dispatch"|"close"}
  const filters = { grade: "", area: "", status: "", breached: false, units: "" };
  let map = null;
  // Kept by reference: while a redraw has taken their row away they are not in the document.
  const panels = { dispatch: document.getElementById("dispatch-panel"), close: document.getElementById("close-panel") };
  detached.push(panels.dispatch, panels.close);

  function stage(incId, unitId, name) {
    post(`/api/v1/incidents/${incId}/units/${unitId}/${name}`).then(() => { showError("board-error", ""); return refresh(); })
      .catch((err) => showError("board-error", err.message));
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

  function pinned(inc, nowMs) { return inc.grade === 1 || state(inc, nowMs).cls === "breached"; }

  function visible(inc, nowMs) {
    if (filters.grade && String(inc.grade) !== filters.grade) return false;
    if (filters.area && (inc.location.area || "") !== filters.area) return false;
    if (filters.status && inc.status !== filters.status) return false;
    if (filters.breached && state(inc, nowMs).cls !== "breached") return false;
    return true;
  }

  function areaOptions() {
    const sel = document.getElementById("f-area");
    const areas = [...new Set(data.incidents.map((i) => i.location.area).filter(Boolean))].sort();
    const have = [...sel.options].map((o) => o.value);
    if (areas.length + 1 === have.length && areas.every((a, i) => have[i + 1] === a)) return;
    sel.replaceChildren(el("option", { value: "" }, "all"), ...areas.map((a) => el("option", { value: a }, a)));
    sel.value = areas.includes(filters.area) ? filters.area : "";
  }

  function row(inc, nowMs, isPinned) {
    const st = state(inc, nowMs);
    const loc = inc.location || {};
    const tr = el("tr", { id: "inc-" + inc.id, class: st.cls + (isPinned ? " pinned" : "") + (selected && selected.id === inc.id ? " selected" : ""),
      "data-attend-by": inc.attend_by || "", "data-arrived": inc.arrived_at || "", "data-grade": String(inc.grade) },
      el("td", { class: "c-grade" }, el("span", { class: "grade grade-" + inc.grade }, String(inc.grade)),
        inc.pending_regrade ? (inc.pending_regrade.kind === "close"
          ? el("span", { class: "pending-regrade", title: "close without attendance awaiting a second supervisor" }, " close?")
          : el("span", { class: "pending-regrade", title: "downgrade to grade " + inc.pending_regrade.to_grade + " awaiting a second supervisor" }, " → " + inc.pending_regrade.to_grade + "?")) : null),
      el("td", { class: "c-id" }, el("a", { href: "/incidents/" + inc.id }, String(inc.id))),
      el("td", { class: "c-rec" }, local(inc.received_at)),
      el("td", { class: "c-loc", title: loc.description || "" }, (loc.description || "—") + (loc.urban === false ? " (rural)" : ""), loc.area ? el("span", { class: "muted area" }, " · " + loc.area) : null),
      el("td", { class: "c-flags" }, ...inc.flags.map((f) => el("span", { class: "flag" }, words(f)))),
      el("td", { class: "status" }, words(inc.status)),
      el("td", { class: "left" }, ""),
      unitCell(inc));
    if (canAct) {
      tr.append(el("td", { class: "c-act" },
        el("button", { type: "button", class: "dispatch", "aria-label": "Dispatch to incident " + inc.id, onclick: () => openPanel(inc.id, "dispatch") }, "Dispatch…"),
        el("button", { type: "button", class: "secondary close", "aria-label": "Close incident " + inc.id, onclick: () => openPanel(inc.id, "close") }, "Close…")));
    }
    return tr;
  }

  function render() {
    const nowMs = Date.now() + offsetMs;
    areaOptions();
    const shown = data.incidents.filter((i) => visible(i, nowMs));
    const top = shown.filter((i) => pinned(i, nowMs));
    const rest = shown.filter((i) => !pinned(i, nowMs));
    const cols = canAct ? 9 : 8;
    const rows = [];
    if (top.length) {
      rows.push(el("tr", { class: "group" }, el("th", { colspan: String(cols), scope: "rowgroup" }, `Pinned: grade 1 and breached (${top.length})`)));
      for (const i of top) rows.push(row(i, nowMs, true));
    }
    if (rest.length) {
      if (top.length) rows.push(el("tr", { class: "group" }, el("th", { colspan: String(cols), scope: "rowgroup" }, `Others (${rest.length})`)));
      for (const i of rest) rows.push(row(i, nowMs, false));
    }
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: String(cols), class: "muted" }, data.incidents.length ? "No incident matches the filters." : "No open incidents.")));
    document.getElementById("board-body").replaceChildren(...rows);
    document.getElementById("board-count").textContent = `${shown.length} of ${data.incidents.length} open`;
    placePanel();
    renderUnits(nowMs);
    if (map) map.update({ now: new Date(nowMs).toISOString(), incidents: shown, units: data.units });
    tick();
  }

  function renderUnits(nowMs) {
    const ub = document.getElementById("units-body");
    const f = filters.units;
    const list = data.units.filter((u) => !f || (f === "available" ? u.status === "available" && u.on_shift : f === "committed" ? !!u.incident_id : u.on_shift));
    ub.replaceChildren(...list.map((u) => {
      const ageS = u.position_at ? (nowMs - Date.parse(u.position_at)) / 1000 : null;
      const stale = mapConfig && (ageS === null || ageS > mapConfig.stale_after_s);
      return el("tr", { id: "unit-" + u.id },
        el("td", {}, u.call_sign), el("td", { class: "u-type", title: words(u.unit_type) }, words(u.unit_type)),
        el("td", { class: "status-" + u.status, title: words(u.status) + (u.on_shift ? "" : " (off shift)") }, words(u.status) + (u.on_shift ? "" : " (off shift)")),
        el("td", { class: "u-age" + (stale ? " stale" : ""), title: u.position_at ? "position at " + local(u.position_at) : "no time for this position" },
          u.lat === null || u.lat === undefined ? "none" : ageS === null ? "?" : window.BluelampMap ? window.BluelampMap.age(ageS).replace(" old", "") : ""),
        el("td", {}, u.incident_id ? el("a", { href: "/incidents/" + u.incident_id }, String(u.incident_id)) : ""));
    }));
    document.getElementById("units-count").textContent = `${list.length} of ${data.units.length}`;
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
      if (selected && !data.incidents.some((i) => i.id === selected.id)) closePanel();
      render();
    } catch (err) { showError("board-error", err.message); }
  }

  // The open panel lives in a table row right under its incident's row; after each redraw it is put back.
  function placePanel() {
    let holder = document.getElementById("panel-row");
    if (!selected) { if (holder) holder.remove(); return; }
    const tr = document.getElementById("inc-" + selected.id);
    const panel = panels[selected.panel];
    if (!tr || !panel) return;
    if (!holder) holder = el("tr", { id: "panel-row", class: "panel-row" }, el("td", { colspan: String(canAct ? 9 : 8) }));
    const td = holder.firstChild;
    if (td.firstChild !== panel) td.replaceChildren(panel);
    tr.after(holder);
  }

  function scrollIntoViewIfNeeded() {
    const holder = document.getElementById("panel-row");
    const tr = selected && document.getElementById("inc-" + selected.id);
    if (tr) tr.scrollIntoView({ block: "nearest" });
    if (holder) holder.scrollIntoView({ block: "nearest" });
  }

  function closePanel() {
    selected = null;
    panels.dispatch.hidden = true;
    panels.close.hidden = true;
    const holder = document.getElementById("panel-row");
    if (holder) holder.remove();
    for (const tr of document.querySelectorAll("#board-body tr.selected")) tr.classList.remove("selected");
  }

  async function openPanel(incId, which) {
    if (!canAct) return;
    closePanel();
    selected = { id: incId, panel: which };
    const tr = document.getElementById("inc-" + incId);
    if (tr) tr.classList.add("selected");
    if (which === "close") {
      byId("cp-incident").textContent = incId;
      byId("cp-code").value = "";
      byId("cp-reason").value = "";
      showError("cp-error", "");
      panels.close.hidden = false;
      placePanel(); scrollIntoViewIfNeeded();
      byId("cp-code").focus();
      return;
    }
    const panel = panels.dispatch;
    byId("dp-incident").textContent = incId;
    byId("dp-reason").value = "";
    showError("dp-error", "");
    const tbody = byId("dp-candidates").querySelector("tbody");
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "muted" }, "Finding units…")));
    byId("dp-warnings").replaceChildren();
    placePanel();
    const res = await fetch(`/api/v1/incidents/${incId}/recommendation`, { credentials: "same-origin" });
    const rec = await res.json();
    if (!selected || selected.id !== incId) return; // another row was chosen meanwhile
    // The panel shows once the recommendation is in (tens of milliseconds), so what it shows is whole.
    panel.hidden = false;
    if (!res.ok) { showError("dp-error", rec.detail); tbody.replaceChildren(); scrollIntoViewIfNeeded(); return; }
    byId("dp-warnings").replaceChildren(...rec.warnings.map((w) => el("li", {}, w)));
    tbody.replaceChildren(...rec.candidates.map((c, i) => el("tr", {},
      el("td", {}, (() => { const r = el("input", { type: "radio", name: "dp-unit", value: String(c.unit_id), id: "dp-unit-" + c.unit_id }); if (i === 0) r.checked = true; return r; })()),
      el("td", {}, el("label", { for: "dp-unit-" + c.unit_id }, c.call_sign + (i === 0 ? " (recommended)" : "") + (c.reserved_for ? " — best for grade-1 incident " + c.reserved_for : ""))),
      el("td", {}, words(c.unit_type)),
      el("td", {}, c.distance_km === null ? "—" : c.distance_km + " km"),
      el("td", {}, c.eta_s === null ? "—" : Math.round(c.eta_s / 60) + " min"),
      el("td", {}, c.makes_target === null ? "—" : c.makes_target ? "yes" : "no"))));
    if (!rec.candidates.length) tbody.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "muted" }, "No suitable unit is available.")));
    scrollIntoViewIfNeeded();
  }

  async function sendDispatch() {
    const chosen = byId("dp-candidates").querySelector("input[name=dp-unit]:checked");
    if (!chosen) { showError("dp-error", "choose a unit"); return; }
    const reason = byId("dp-reason").value.trim();
    try {
      await post(`/api/v1/incidents/${selected.id}/dispatch`, { unit_id: Number(chosen.value), reason: reason || null });
      closePanel();
      await refresh();
    } catch (e) { showError("dp-error", e.message); }
  }

  async function sendClose() {
    const { missing, body } = closeBody();
    if (missing.length) { showError("cp-error", missing.join("; ")); return; }
    try {
      await post(`/api/v1/incidents/${selected.id}/close`, body);
      closePanel(); showError("board-error", "");
      await refresh();
    } catch (e) { showError("cp-error", e.message); }
  }

  function bindFilters() {
    const on = (id, key, read) => document.getElementById(id).addEventListener("change", (ev) => { filters[key] = read(ev.target); render(); });
    on("f-grade", "grade", (t) => t.value);
    on("f-area", "area", (t) => t.value);
    on("f-status", "status", (t) => t.value);
    on("f-breached", "breached", (t) => t.checked);
    on("u-status", "units", (t) => t.value);
    document.getElementById("board-filters").addEventListener("submit", (ev) => ev.preventDefault());
  }

  if (canAct) {
    byId("dp-send").addEventListener("click", sendDispatch);
    byId("dp-cancel").addEventListener("click", closePanel);
    byId("cp-send").addEventListener("click", sendClose);
    byId("cp-cancel").addEventListener("click", closePanel);
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && selected) closePanel(); });
  }
  bindFilters();
  const mapEl = document.getElementById("map");
  if (mapEl && mapConfig && window.BluelampMap) {
    map = window.BluelampMap.create(mapEl, mapConfig, {
      noteElement: document.getElementById("map-note"),
      onIncident: (id) => {
        const tr = document.getElementById("inc-" + id);
        if (!tr) { filters.grade = filters.area = filters.status = ""; filters.breached = false; for (const f of ["f-grade", "f-area", "f-status"]) document.getElementById(f).value = ""; document.getElementById("f-breached").checked = false; render(); }
        if (canAct) openPanel(id, "dispatch");
        else { const r = document.getElementById("inc-" + id); if (r) r.scrollIntoView({ block: "nearest" }); }
      },
    });
  }
  render();
  const focus = Number(new URLSearchParams(window.location.search).get("dispatch"));
  if (focus && canAct && data.incidents.some((i) => i.id === focus)) openPanel(focus, "dispatch");
  setInterval(tick, 1000);
  setInterval(refresh, POLL_MS);
})();
