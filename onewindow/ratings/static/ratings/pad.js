/* The window's rating pad (docs/rules/satisfaction.md §E4): progressive enhancement only.
   Waiting: reload every 5 s so the armed service appears. Thanks: back to waiting after 4 s.
   Without JavaScript the page's 返回 / 刷新 link does the same. No inline code (CSP). */
(function () {
  "use strict";
  var main = document.querySelector("[data-pad-state]");
  if (!main) { return; }
  var state = main.getAttribute("data-pad-state");
  var idle = main.getAttribute("data-pad-idle");
  if (state === "idle") {
    window.setTimeout(function () { window.location.replace(idle); }, 5000);
  } else if (state === "thanks" || state === "error") {
    window.setTimeout(function () { window.location.replace(idle); }, 4000);
  }
}());
