// The dispatch map (Leaflet, vendored): open incidents coloured by grade and by clock, units by status with
// the age of their position, and the force's area boundaries. Everything comes from this origin: the base
// layer is the force's own tiles (a folder bluelamp serves, or a path on this server) or, with none, the
// area boundaries and roads from /map/base.geojson. Markers are drawn from the board's own JSON, so the
// map and the board always show the same incidents.
(function () {
  "use strict";
  const GRADE_FILL = { 1: "#b00020", 2: "#b36b00", 3: "#0b3d91", 4: "#5f6b7a" };
  const UNIT_FILL = { available: "#1e7b34", dispatched: "#0b3d91", at_scene: "#6a1b9a", busy: "#5f6b7a", off_duty: "#aab4c0" };
  const AREA_FILL = ["#e3ecf7", "#eaf4e4", "#f7efe0", "#f1e6f5", "#e4f3f3", "#f7e6e6", "#eeeeda", "#e6e9f7"];
  const words = (s) => (s || "").replaceAll("_", " ");

  function age(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return "position age unknown";
    const s = Math.max(0, Math.round(seconds));
    if (s < 90) return s + " s old";
    if (s < 3570) return Math.round(s / 60) + " min old";
    if (s < 86400) return Math.round(s / 3600) + " h old";
    return Math.round(s / 86400) + " d old";
  }

  // The clock as the board shows it (mirrors model.clock_state; the server's `clock` is the truth at poll time).
  function clockState(inc, nowMs) {
    if (!inc.attend_by) return "none";
    if (inc.arrived_at) return Date.parse(inc.arrived_at) <= Date.parse(inc.attend_by) ? "met" : "breached";
    const left = (Date.parse(inc.attend_by) - nowMs) / 1000;
    return left < 0 ? "breached" : left <= 300 ? "about_to_breach" : "running";
  }

  function text(tag, cls, value) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = value;
    return e;
  }

  function create(element, config, opts) {
    opts = opts || {};
    const note = opts.noteElement || null;
    const map = L.map(element, { preferCanvas: false, zoomSnap: 0.25, attributionControl: true, maxZoom: config.max_zoom || 18 });
    map.attributionControl.setPrefix("Leaflet");
    // Town names only once zoomed in far enough for them not to pile up.
    map.on("zoomend", () => element.classList.toggle("z-low", map.getZoom() < 9.5));
    map.setView(opts.center || [52.85, -2.0], opts.zoom || 9);
    element.classList.toggle("z-low", map.getZoom() < 9.5);
    let baseNote = config.warning || "", liveNotes = [];
    function setNote() { if (note) note.textContent = [baseNote, ...liveNotes].filter(Boolean).join(" "); }
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: config.max_zoom || 18, attribution: config.attribution || "" }).addTo(map);
    }
    // A PMTiles archive, read by range requests from this origin: raster tiles through the pmtiles library,
    // vector tiles (the Protomaps basemap layers) drawn by protomaps-leaflet. Past the archive's deepest zoom
    // its tiles are enlarged.
    const pm = config.pmtiles;
    if (pm && pm.vector && window.protomapsL) {
      protomapsL.leafletLayer({ url: pm.url, flavor: "light", lang: "en", maxDataZoom: pm.max_zoom, attribution: config.attribution || "" }).addTo(map);
    } else if (pm && !pm.vector && window.pmtiles) {
      pmtiles.leafletRasterLayer(new pmtiles.PMTiles(pm.url), {
        className: "bl-pmtiles", minNativeZoom: pm.min_zoom, maxNativeZoom: pm.max_zoom, maxZoom: config.max_zoom || 18,
        attribution: config.attribution || "" }).addTo(map);
    }
    const hasBase = !!(config.tiles || (pm && (window.protomapsL || window.pmtiles)));
    const base = L.layerGroup().addTo(map);
    const incidentLayer = L.layerGroup().addTo(map);
    const unitLayer = L.layerGroup().addTo(map);
    let fitted = !!opts.center;

    fetch(config.geojson, { credentials: "same-origin" })
      .then((res) => { if (!res.ok) throw new Error(res.status); return res.json(); })
      .then((gj) => {
        let areaIndex = 0;
        const layer = L.geoJSON(gj, {
          filter: (f) => !(hasBase && (f.properties.kind === "area" || f.properties.kind === "road")),
          style: (f) => {
            const k = f.properties.kind;
            if (k === "area") return { className: "bl-area", stroke: false, fillColor: AREA_FILL[areaIndex++ % AREA_FILL.length], fillOpacity: 0.85 };
            if (k === "boundary") return { className: "bl-boundary", color: "#44505e", weight: 1.6, dashArray: "5 4", fill: false };
            if (k === "beat") return { className: "bl-beat", color: "#7a8796", weight: 0.8, fill: false, interactive: true };
            if (k === "road") return { className: "bl-road bl-road-" + f.properties.class, color: f.properties.class === "motorway" ? "#3b6fc4" : "#c98a2b", weight: f.properties.class === "motorway" ? 3.5 : 2.2, opacity: 0.9 };
            return {};
          },
          pointToLayer: (f, latlng) => L.circleMarker(latlng, { className: "bl-town", radius: 2, color: "#44505e", weight: 1, fillOpacity: 1, interactive: false }),
          onEachFeature: (f, lyr) => {
            const p = f.properties;
            if (p.kind === "town") lyr.bindTooltip(p.name, { permanent: true, direction: "right", className: "bl-town-label", offset: [3, 0] });
            else if (p.kind === "road") lyr.bindTooltip(p.name + " (schematic)", { sticky: true });
            else if (p.kind === "area") lyr.bindTooltip(p.name, { sticky: true });
            else if (p.kind === "beat") lyr.bindTooltip(p.name + (p.layer && p.layer !== "beat" ? " (" + p.layer + ")" : " beat"), { sticky: true });
          },
        }).addTo(base);
        layer.bringToBack();
        if (!fitted) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); fitted = true; }
      })
      .catch(() => { baseNote = "The area boundaries could not be loaded; incidents and units are still shown."; setNote(); });
    setNote();

    function incidentPopup(inc, state) {
      const box = document.createElement("div");
      box.append(text("strong", "", "Incident " + inc.id + " · grade " + inc.grade));
      box.append(document.createElement("br"), text("span", "", words(inc.status) + " · " + (state === "none" ? "no clock" : words(state))));
      if (inc.location && inc.location.description) box.append(document.createElement("br"), text("span", "", inc.location.description));
      const link = text("a", "", "Open incident page");
      link.href = "/incidents/" + inc.id;
      box.append(document.createElement("br"), link);
      return box;
    }

    function update(data) {
      const nowMs = data.now ? Date.parse(data.now) : Date.now();
      incidentLayer.clearLayers();
      unitLayer.clearLayers();
      let missing = 0;
      const shown = [];
      for (const inc of data.incidents || []) {
        const loc = inc.location || {};
        if (loc.lat === null || loc.lat === undefined || loc.lon === null || loc.lon === undefined) { missing++; continue; }
        const state = clockState(inc, nowMs);
        const ring = state === "breached" ? { color: "#000", weight: 3 } : state === "about_to_breach" ? { color: "#ffbf47", weight: 3 } : { color: "#fff", weight: 1.5 };
        const m = L.circleMarker([loc.lat, loc.lon], Object.assign({
          className: "bl-inc bl-inc-" + inc.id + " grade-" + inc.grade + " clock-" + state,
          radius: inc.grade === 1 ? 9 : inc.grade === 2 ? 7.5 : 6, fillColor: GRADE_FILL[inc.grade] || "#5f6b7a", fillOpacity: 0.95,
        }, ring));
        m.bindTooltip("Incident " + inc.id + " · grade " + inc.grade + (state === "breached" ? " · BREACHED" : state === "about_to_breach" ? " · about to breach" : ""));
        m.bindPopup(() => incidentPopup(inc, state));
        m.on("click", () => { if (opts.onIncident) opts.onIncident(inc.id); });
        m.addTo(incidentLayer);
        shown.push([loc.lat, loc.lon]);
      }
      let stale = 0;
      for (const u of data.units || []) {
        if (u.lat === null || u.lat === undefined || u.lon === null || u.lon === undefined) continue;
        const ageS = u.position_at ? (nowMs - Date.parse(u.position_at)) / 1000 : null;
        const isStale = ageS === null || ageS > (config.stale_after_s || 600);
        if (isStale) stale++;
        const m = L.circleMarker([u.lat, u.lon], {
          className: "bl-unit bl-unit-" + u.id + " status-" + u.status + (isStale ? " stale" : ""),
          radius: 5, color: "#1b1b1b", weight: 1, dashArray: isStale ? "2 2" : null,
          fillColor: UNIT_FILL[u.status] || "#5f6b7a", fillOpacity: isStale ? 0.45 : 0.95,
        });
        m.bindTooltip(u.call_sign + " · " + words(u.status) + " · " + age(ageS) + (isStale ? " (stale)" : ""));
        m.addTo(unitLayer);
      }
      liveNotes = [];
      if (missing) liveNotes.push(missing + (missing === 1 ? " incident has" : " incidents have") + " no position and " + (missing === 1 ? "is" : "are") + " not on the map.");
      if (stale) liveNotes.push(stale + " unit position" + (stale === 1 ? " is" : "s are") + " stale or of unknown age (dashed).");
      setNote();
      if (opts.fitIncidents && shown.length && !fitted) { map.fitBounds(shown, { padding: [20, 20], maxZoom: 13 }); fitted = true; }
      element.dataset.incidentMarkers = String(shown.length);
    }

    function focus(id) {
      incidentLayer.eachLayer((m) => {
        const el = m.getElement && m.getElement();
        if (el && el.classList.contains("bl-inc-" + id)) { map.panTo(m.getLatLng()); m.openTooltip(); }
      });
    }
    return { map, update, focus };
  }

  window.BluelampMap = { create, clockState, age };
})();
