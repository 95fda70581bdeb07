// The bundle application page: hide the fields, materials and items that the answers do not
// include. The server decides on its own (docs/rules/bundles.md §R4); this is a convenience only.
(function () {
  "use strict";
  var form = document.getElementById("bundle-form");
  if (!form) { return; }
  function answers() {
    var chosen = {};
    form.querySelectorAll("input[data-question]:checked").forEach(function (input) {
      chosen[input.getAttribute("data-question")] = input.value;
    });
    return chosen;
  }
  function update() {
    var chosen = answers();
    form.querySelectorAll("[data-when]").forEach(function (element) {
      var show = element.getAttribute("data-when").split(" ").some(function (condition) {
        var parts = condition.split(":");
        return chosen[parts[0]] === parts[1];
      });
      element.hidden = !show;
    });
  }
  form.addEventListener("change", update);
  update();
})();
