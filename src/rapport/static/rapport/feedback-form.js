// Keeps the client's answers on this device until the clinic confirms it has them, so a dropped
// connection or a database outage never loses what they typed. Submits with fetch and falls back to
// a plain form post when JavaScript is unavailable.
(function () {
  "use strict";
  var form = document.getElementById("feedback-form");
  if (!form || !window.fetch) return;
  var key = form.dataset.storageKey;
  var status = document.getElementById("form-status");
  var errorBox = document.getElementById("form-error");
  var warnedAboutGaps = false;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function save() {
    var data = {};
    form.querySelectorAll("input[type=radio]:checked, textarea").forEach(function (el) { data[el.name] = el.value; });
    form.querySelectorAll("input[type=range][data-answered=true]").forEach(function (el) { data[el.dataset.name] = el.value; });
    var s = storage();
    if (s) s.setItem(key, JSON.stringify(data));
  }
  function restore() {
    var s = storage();
    var raw = s && s.getItem(key);
    if (!raw) return;
    var data = JSON.parse(raw);
    Object.keys(data).forEach(function (name) {
      var radio = form.querySelector("input[type=radio][name='" + name + "'][value='" + data[name] + "']");
      if (radio) { radio.checked = true; return; }
      var slider = form.querySelector("input[type=range][data-name='" + name + "']");
      if (slider) {
        slider.value = data[name];
        slider.dispatchEvent(new Event("input"));
        return;
      }
      var text = form.querySelector("textarea[name='" + name + "']");
      if (text) text.value = data[name];
    });
  }
  function unanswered() {
    var groups = form.querySelectorAll(".item.choice, .item.slider");
    var count = 0;
    groups.forEach(function (group) {
      var radios = group.querySelectorAll("input[type=radio]");
      if (radios.length && !group.querySelector("input[type=radio]:checked")) count++;
      var slider = group.querySelector("input[type=range]");
      if (slider && slider.dataset.answered !== "true") count++;
    });
    return count;
  }
  function show(box, text) {
    box.textContent = text;
    box.hidden = !text;
  }

  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var gaps = unanswered();
    if (gaps && !warnedAboutGaps) {
      warnedAboutGaps = true;
      show(errorBox, (gaps === 1 ? "1 question is" : gaps + " questions are") +
        " not answered yet. You can answer, or tap Send again to send as it is.");
      errorBox.scrollIntoView({ block: "center" });
      return;
    }
    show(errorBox, "");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    show(status, "Sending…");
    fetch(window.location.pathname, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok) {
        var s = storage();
        if (s) s.removeItem(key);
        window.location.assign(window.location.pathname.replace(/\/?$/, "/") + "thanks/");
        return;
      }
      if (response.status === 400) {
        return response.json().then(function (body) {
          show(status, "");
          show(errorBox, body.message);
          button.disabled = false;
        });
      }
      if (response.status === 404 || response.status === 410) {
        window.location.reload();
        return;
      }
      throw new Error("HTTP " + response.status);
    }).catch(function () {
      show(status, "");
      show(errorBox, "We couldn't reach the clinic just now. Your answers are kept on this device: " +
        "tap Send again in a moment.");
      button.disabled = false;
    });
  });
})();
