// The contact queue refreshes itself: the table body is fetched every 10 s (a read that never takes
// the write lock) and the waiting times tick between fetches.
(function () {
  "use strict";
  const table = document.getElementById("queue");
  const rows = document.getElementById("queue-rows");
  const status = document.getElementById("queue-status");
  if (!table || !rows) return;
  const url = table.dataset.refresh;
  let fetchedAt = Date.now();
  function fmt(s) {
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min";
    if (s < 86400) return Math.floor(s / 3600) + " h " + String(Math.floor(s % 3600 / 60)).padStart(2, "0") + " min";
    return Math.floor(s / 86400) + " d " + Math.floor(s % 86400 / 3600) + " h";
  }
  function tick() {
    const extra = Math.floor((Date.now() - fetchedAt) / 1000);
    for (const cell of rows.querySelectorAll("td.waiting")) cell.textContent = fmt(parseInt(cell.dataset.seconds, 10) + extra);
  }
  async function refresh() {
    if (document.hidden) return;
    try {
      const res = await fetch(url, { credentials: "same-origin" });
      if (!res.ok) { status.textContent = "Could not refresh (" + res.status + "); trying again."; return; }
      rows.innerHTML = await res.text();   // server-rendered, autoescaped rows
      fetchedAt = Date.now();
      status.textContent = "Updated " + new Date().toLocaleTimeString("en-GB", { timeZone: "Europe/London" }) + "; refreshes every 10 seconds.";
    } catch (e) { status.textContent = "Could not refresh; trying again."; }
  }
  setInterval(refresh, 10000);
  setInterval(tick, 1000);
})();
