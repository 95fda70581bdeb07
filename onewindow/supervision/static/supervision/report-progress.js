/* 情况通报 progress indicator: poll the report's status every 2 s, move the <progress> bar,
   reload the page once the report is done (or failed). Without this script the page refreshes
   itself (<noscript> meta refresh) and offers a "刷新" link. Text is set with textContent only. */
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("report-progress-bar");
  var text = document.getElementById("report-progress-text");
  var label = document.getElementById("report-status-label");
  var url = box.dataset.statusUrl;
  var INTERVAL = 2000;

  function show(s) {
    if (bar) { bar.value = s.progress; bar.textContent = s.progress + "%"; }
    if (text) { text.textContent = s.progress + "%" + (s.stage ? " " + s.stage : ""); }
    if (label) { label.textContent = s.status_label; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { window.setTimeout(poll, INTERVAL * 2); return; }
        show(s);
        if (s.done) { window.location.assign(s.url); return; }
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL * 2); });
  }

  window.setTimeout(poll, INTERVAL);
}());
