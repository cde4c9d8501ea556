// The performance dashboard's charts (no inline scripts: the CSP forbids them).
// Titles are objects ({text: ...}): plotly.js 3 and later (plotly 6 and 7 for Python) ignore a string.
"use strict";
(function () {
const d = JSON.parse(document.getElementById("chart-data").textContent);
const colours = {red: "#b00020", amber: "#b36b00", green: "#1e7b34"};
const t = d.targets;
if (t.values.length) {
  Plotly.newPlot("chart-targets", [
    {type: "bar", orientation: "h", y: t.labels, x: t.values.map(v => v * 100), name: "figure",
     marker: {color: t.rag.map(r => colours[r] || "#5f6b7a")}, customdata: t.keys},
    {type: "scatter", mode: "markers", y: t.labels, x: t.targets.map(v => v * 100), name: "target",
     marker: {symbol: "line-ns-open", size: 18, color: "#1b1b1b"}},
  ], {title: {text: "Measures against their targets"}, margin: {l: 260, t: 50},
       xaxis: {range: [0, 100], title: {text: "Figure achieved (%); the mark is the target"}},
       yaxis: {title: {text: "Measure"}, automargin: true}, showlegend: false},
  {displaylogo: false, responsive: true});
  document.getElementById("chart-targets").on("plotly_click", ev => {
    const key = ev.points[0].customdata; const row = document.querySelector(`#measure-${key} a.figure`);
    if (row) { window.location = row.href; }
  });
}
const c = d.call999;
Plotly.newPlot("chart-999", [{type: "bar", x: ["this period", "previous period"],
  y: [c.value, c.previous].map(v => v === null ? null : v * 100), marker: {color: "#0b3d91"}}],
  {title: {text: "999 calls answered within 10 seconds"}, margin: {t: 50},
   xaxis: {title: {text: "Period"}}, yaxis: {range: [0, 100], title: {text: "Answered within 10 s (%)"}},
   shapes: [{type: "line", xref: "paper", x0: 0, x1: 1, y0: 90, y1: 90, line: {color: "#1e7b34", dash: "dash"}},
            {type: "line", xref: "paper", x0: 0, x1: 1, y0: 71, y1: 71, line: {color: "#b36b00", dash: "dot"}}],
   annotations: [{xref: "paper", x: 1, y: 90, text: "90% standard", showarrow: false, yshift: 8},
                 {xref: "paper", x: 1, y: 71, text: "E&W 2021-22: 71%", showarrow: false, yshift: 8}]},
  {displaylogo: false, responsive: true});
if (d.grades.values.some(v => v)) {
  Plotly.newPlot("chart-grades", [{type: "pie", labels: d.grades.labels, values: d.grades.values, hole: .4}],
    {title: {text: "Grade mix"}, margin: {t: 40, b: 0}, legend: {title: {text: "Grade"}}},
    {displaylogo: false, responsive: true});
}
})();
