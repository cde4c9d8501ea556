// The analyst's hotspot map (issue 15): hexagons or areas shaded by recorded crime, from
// /api/v1/hotspots, on the vendored Leaflet with no tile layer (nothing is fetched from outside).
(function () {
  "use strict";
  var el = document.getElementById("hotspot-map");
  if (!el || typeof L === "undefined") { return; }
  var by = document.getElementById("hs-by");
  var month = document.getElementById("hs-month");
  var type = document.getElementById("hs-type");
  var total = document.getElementById("hs-total");
  var tbody = document.querySelector("#hotspot-table tbody");
  var map = L.map(el).setView([52.85, -2.0], 9);  // SVG: each hexagon an element of its own
  var layer = L.layerGroup().addTo(map);
  var filled = false;

  fetch("/map/base.geojson", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (g) {
      if (g) { L.geoJSON(g, { style: { color: "#777", weight: 1, fill: false } }).addTo(map); }
    })
    .catch(function () { /* the hexagons alone still show where */ });

  function colour(n, max) {
    var t = max ? Math.sqrt(n / max) : 0;
    var r = Math.round(255), g = Math.round(230 - 200 * t), b = Math.round(150 - 150 * t);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  function options(select, values) {
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v; o.textContent = v.length === 10 ? v.slice(0, 7) : v;
      select.appendChild(o);
    });
  }

  function row(item) {
    var tr = document.createElement("tr");
    [item.key, String(item.crimes), String(item.incidents)].forEach(function (t) {
      var td = document.createElement("td"); td.textContent = t; tr.appendChild(td);
    });
    return tr;
  }

  function load() {
    var q = new URLSearchParams({ by: by.value, limit: "2000" });
    if (month.value) { q.set("month", month.value); }
    if (type.value) { q.set("crime_type", type.value); }
    fetch("/api/v1/hotspots?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { total.textContent = "hotspots unavailable"; return; }
        if (!filled) { options(month, body.months); options(type, body.crime_types); filled = true; }
        layer.clearLayers();
        while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
        var max = body.items.reduce(function (m, i) { return Math.max(m, i.crimes); }, 0);
        var bounds = [];
        body.items.forEach(function (item, n) {
          if (item.boundary) {
            L.polygon(item.boundary, { color: "#b00", weight: 0.5, fillColor: colour(item.crimes, max),
                                       fillOpacity: 0.7, className: "hs-cell" })
              .bindTooltip(item.crimes + " crimes, " + item.incidents + " incidents").addTo(layer);
            bounds.push([item.lat, item.lon]);
          }
          if (n < 20) { tbody.appendChild(row(item)); }
        });
        if (bounds.length) { map.fitBounds(bounds, { maxZoom: 12 }); }
        total.textContent = body.total_crimes + " crimes, " + body.total_incidents + " incidents";
        el.setAttribute("data-cells", String(body.items.filter(function (i) { return i.boundary; }).length));
      })
      .catch(function () { total.textContent = "hotspots unavailable"; });
  }

  [by, month, type].forEach(function (s) { s.addEventListener("change", load); });
  load();
})();
