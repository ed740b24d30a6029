// Draws the transcript report's charts (templates/transcripts/_report.html) from the JSON each
// report embeds with json_script. Works in the web app (loaded as a static file after Chart.js)
// and in the standalone report (inlined). Several reports may share a page.
(function () {
  "use strict";
  var ink = "#1b1f24", blue = "#1f5fbf", teal = "#0f7b6c", grey = "#6b7280";
  var amber = "#b7791f", red = "#b42318", green = "#2f7d32", purple = "#6d28d9";
  var behaviourColours = { reflection: blue, question: teal, therapist_input: amber, other: grey };
  var talkColours = { change: green, neutral: grey, sustain: red };

  // Links into the collapsed transcript open it first, so the browser can scroll to the line.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    var details = target && target.closest ? target.closest("details") : null;
    if (details) details.open = true;
  });

  if (!window.Chart) return;

  function make(canvas, config) {
    if (!canvas) return;
    config.options = Object.assign({
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "nearest", intersect: false },
      plugins: { legend: { labels: { color: ink } } },
    }, config.options || {});
    new window.Chart(canvas, config);
  }

  function linear(title, min, max) {
    var axis = { type: "linear", title: { display: true, text: title } };
    if (min !== undefined) axis.min = min;
    if (max !== undefined) axis.max = max;
    return axis;
  }

  function draw(section, data) {
    var q = function (name) { return section.querySelector("canvas[data-chart='" + name + "']"); };
    var t = data.over_time;
    make(q("balance"), {
      type: "bar",
      data: { labels: t.labels, datasets: [
        { label: "Therapist words", data: t.words.therapist, backgroundColor: blue },
        { label: "Client words", data: t.words.client, backgroundColor: teal },
      ] },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "words" } } } },
    });
    var sets = [];
    t.behaviours.forEach(function (s) {
      sets.push({ label: s.label, data: s.counts, backgroundColor: behaviourColours[s.key] || grey, stack: "therapist" });
    });
    t.talk_types.forEach(function (s) {
      sets.push({ label: s.label, data: s.counts, backgroundColor: talkColours[s.key] || grey, stack: "client" });
    });
    if (sets.length) {
      make(q("behaviours"), {
        type: "bar", data: { labels: t.labels, datasets: sets },
        options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "utterances" } } } },
      });
    }
    var lsm = data.lsm;
    if (lsm.points.length) {
      var xs = lsm.points.map(function (p) { return p.x; });
      var first = Math.min.apply(null, xs), last = Math.max.apply(null, xs);
      var lsmSets = [{ label: "Rolling LSM", data: lsm.points, borderColor: purple, backgroundColor: purple, pointRadius: 0, tension: 0.2 }];
      if (lsm.session !== null) {
        lsmSets.push({ label: "Whole session", data: [{ x: first, y: lsm.session }, { x: last, y: lsm.session }], borderColor: grey, borderDash: [6, 4], pointRadius: 0 });
      }
      if (data.ruptures.length) {
        // A rupture marker sits at the rolling LSM of the window that ends nearest it.
        var at = function (x) {
          var best = lsm.points[0];
          lsm.points.forEach(function (p) { if (Math.abs(p.x - x) < Math.abs(best.x - x)) best = p; });
          return best.y;
        };
        lsmSets.push({
          label: "Rupture marker", showLine: false, pointStyle: "triangle", pointRadius: 8, borderColor: red, backgroundColor: red,
          data: data.ruptures.map(function (r) { return { x: r.x, y: at(r.x), label: r.label }; }),
        });
      }
      make(q("lsm"), {
        type: "line", data: { datasets: lsmSets },
        options: {
          scales: { x: linear("utterance"), y: linear("LSM", 0, 1) },
          plugins: { tooltip: { callbacks: { label: function (c) { return c.raw.label || (c.dataset.label + ": " + c.formattedValue); } } } },
        },
      });
    }
    if (data.affect) {
      make(q("affect"), {
        type: "line",
        data: { datasets: [
          { label: "Therapist", data: data.affect.therapist, borderColor: blue, backgroundColor: blue, pointRadius: 0, tension: 0.2 },
          { label: "Client", data: data.affect.client, borderColor: teal, backgroundColor: teal, pointRadius: 0, tension: 0.2 },
        ] },
        options: { scales: { x: linear("utterance"), y: linear("compound", -1, 1) } },
      });
    }
  }

  var sections = document.querySelectorAll("[data-transcript-report]");
  Array.prototype.forEach.call(sections, function (section) {
    var el = document.getElementById(section.getAttribute("data-transcript-report"));
    if (!el) return;
    draw(section, JSON.parse(el.textContent));
  });
})();
