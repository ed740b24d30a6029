// Visual-analogue sliders start unanswered: a range input always has a value, so the slider only
// gets its form name once the person moves it. Untouched sliders are sent as "skipped", never as 0.
(function () {
  "use strict";
  function describe(slider) {
    var out = document.getElementById(slider.id + "-value");
    if (out) out.textContent = slider.value + " out of " + slider.max;
    slider.setAttribute("aria-valuetext", slider.value + " out of " + slider.max);
  }
  function answer(slider) {
    slider.name = slider.dataset.name;
    slider.dataset.answered = "true";
    slider.closest(".item").classList.add("answered");
    describe(slider);
  }
  document.querySelectorAll("input[type=range][data-name]").forEach(function (slider) {
    if (slider.dataset.answered === "true") answer(slider);
    slider.addEventListener("input", function () { answer(slider); });
    slider.addEventListener("change", function () { answer(slider); });
    // Keyboard users: focusing and pressing a key counts; so does a tap without a drag.
    slider.addEventListener("pointerup", function () { answer(slider); });
  });
  document.body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    field.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
    }
  });
})();
