/* The ticket page (docs/rules/hall.md §J15): show the print button (the print view is
   queue.css's print rules). No inline code (CSP). */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
}());
