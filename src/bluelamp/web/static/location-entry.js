// The entry screen's location helper (issue 15): gazetteer matches while the location is typed, the
// handler's choice confirmed into `gazetteer_ref`, and open incidents nearby offered as possible
// duplicates; choosing one sets `link_incident_id`, and the contact is linked when it is recorded.
(function () {
  "use strict";
  var root = document.getElementById("location-entry");
  var input = document.getElementById("location_description");
  if (!root || !input) { return; }
  var refInput = document.getElementById("gazetteer_ref");
  var linkInput = document.getElementById("link_incident_id");
  var list = document.getElementById("location-matches");
  var chosen = document.getElementById("location-chosen");
  var dups = document.getElementById("possible-duplicates");
  var dupList = document.getElementById("duplicate-list");
  var dupChoice = document.getElementById("duplicate-choice");
  var timer = null;
  var seq = 0;

  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }

  function button(text, cls, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function showDuplicates(items) {
    clear(dupList);
    dupChoice.textContent = "";
    if (!items.length) { dups.hidden = true; return; }
    items.forEach(function (d) {
      var li = document.createElement("li");
      li.setAttribute("data-incident", String(d.incident_id));
      var text = "Incident " + d.incident_id + " (grade " + d.grade + "): " + d.reason + " ";
      li.appendChild(document.createTextNode(text));
      li.appendChild(button("Same incident", "loc-link", function () {
        linkInput.value = String(d.incident_id);
        dupChoice.textContent = "This contact will be linked to incident " + d.incident_id + " when recorded.";
        Array.prototype.forEach.call(dupList.children, function (x) { x.classList.remove("chosen"); });
        li.classList.add("chosen");
      }));
      dupList.appendChild(li);
    });
    dupList.appendChild((function () {
      var li = document.createElement("li");
      li.appendChild(button("Not the same: a new incident", "loc-nolink", function () {
        linkInput.value = "";
        dupChoice.textContent = "Recorded as a new incident.";
        Array.prototype.forEach.call(dupList.children, function (x) { x.classList.remove("chosen"); });
      }));
      return li;
    })());
    dups.hidden = false;
  }

  function checkDuplicates(params) {
    var q = new URLSearchParams(params);
    fetch(root.getAttribute("data-duplicates-url") + "?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { showDuplicates(body.possible_duplicates || []); } })
      .catch(function () { /* no suggestions: the handler carries on */ });
  }

  function choose(m) {
    refInput.value = m.ref;
    chosen.textContent = "Location confirmed: " + m.label;
    list.hidden = true;
    clear(list);
    checkDuplicates({ ref: m.ref, q: input.value });
  }

  function showMatches(matches) {
    clear(list);
    if (!matches.length) { list.hidden = true; return; }
    matches.forEach(function (m, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.appendChild(button(m.label + " (" + m.kind + ")", "loc-match", function () { choose(m); }));
      li.id = "location-match-" + i;
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function lookUp() {
    var text = input.value.trim();
    refInput.value = "";
    chosen.textContent = "";
    if (text.length < 3) { showMatches([]); return; }
    var mine = ++seq;
    fetch(root.getAttribute("data-match-url") + "?" + new URLSearchParams({ q: text }).toString(),
          { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || mine !== seq) { return; }
        showMatches(body.matches || []);
        checkDuplicates({ q: text });
      })
      .catch(function () { showMatches([]); });
  }

  input.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(lookUp, 250);
  });
})();
