// The Demand page's charts (no inline scripts: the CSP forbids them).
"use strict";
(function () {
function drawForecast(f, actual) {
  Plotly.newPlot("forecast-chart", [
    {x: f.x, y: f.yhat_hi_95, line: {width: 0}, showlegend: false, hoverinfo: "skip"},
    {x: f.x, y: f.yhat_lo_95, fill: "tonexty", fillcolor: "rgba(31,119,180,0.15)", line: {width: 0}, name: "95%"},
    {x: f.x, y: f.yhat_hi_80, line: {width: 0}, showlegend: false, hoverinfo: "skip"},
    {x: f.x, y: f.yhat_lo_80, fill: "tonexty", fillcolor: "rgba(31,119,180,0.3)", line: {width: 0}, name: "80%"},
    {x: f.x, y: f.yhat, name: "forecast", line: {color: "#1f77b4"}},
    {x: actual.x, y: actual.y, name: "actual", line: {color: "#333"}},
  ], {margin: {t: 40}, title: {text: "Forecast demand with 80% and 95% intervals"},
      xaxis: {title: {text: "time (Europe/London)"}}, yaxis: {title: {text: "contacts an hour"}}});
}
if (document.getElementById("force-data")) {
const fd = JSON.parse(document.getElementById("force-data").textContent);
const pick = document.getElementById("series-pick");
const show = () => { const s = fd.series[pick.value]; drawForecast(s.forecast, s.actual); };
pick.addEventListener("change", show);
show();
if (fd.staffing) {
  Plotly.newPlot("staffing-chart", [
    {x: fd.staffing.x, y: fd.staffing.required, name: "handlers to schedule (upper 80%)", line: {shape: "hv"}},
    {x: fd.staffing.x, y: fd.staffing.cover, name: "rota cover", line: {shape: "hv", dash: "dot"}},
    {x: fd.staffing.x, y: fd.staffing.mean_agents, name: "needed for the mean forecast", line: {shape: "hv", width: 1}},
  ], {margin: {t: 40}, title: {text: "Call handlers needed against the rota"},
      xaxis: {title: {text: "time (Europe/London)"}}, yaxis: {title: {text: "call handlers"}}});
}
} else {
const d = JSON.parse(document.getElementById("chart-data").textContent);
drawForecast(d.forecast, d.actual);
if (d.staffing) {
  Plotly.newPlot("staffing-chart", [
    {x: d.staffing.x, y: d.staffing.agents, name: "agents needed", line: {shape: "hv"}},
    {x: d.staffing.x, y: d.staffing.scheduled, name: "to schedule (shrinkage)", line: {shape: "hv"}},
  ], {margin: {t: 20}});
}
}
})();
