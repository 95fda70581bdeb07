// Shows the guide's print button and wires it to window.print(). Without JavaScript the button
// stays hidden and the browser's own print command gives the same result (print.css).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
