// Draws the client page's outcome and alliance charts from the JSON the page embeds.
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || !window.Chart) return;
  var data = JSON.parse(el.textContent);
  var ink = "#1b1f24", blue = "#1f5fbf", teal = "#0f7b6c", grey = "#6b7280";
  var amber = "#b7791f", red = "#b42318", green = "#2f7d32";

  function cutoffLine(measure, n, label) {
    return {
      label: label, data: new Array(n).fill(measure.cutoff), borderColor: grey, borderDash: [6, 4],
      borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0, fill: false,
    };
  }
  function series(label, values, colour) {
    return { label: label, data: values, borderColor: colour, backgroundColor: colour, spanGaps: true, tension: 0.15, pointRadius: 4 };
  }
  function draw(canvasId, datasets, scales) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { color: ink } } },
        scales: scales,
      },
    });
  }
  var n = data.labels.length;
  var o = data.outcome;
  if (o.measure) {
    var oSets = [series(o.measure.name, o.values, blue)];
    if (o.expected && o.expected.some(function (v) { return v !== null; })) {
      // The band between the expected course and the not-on-track boundary, shaded amber.
      oSets.push({ label: "Expected course", data: o.expected, borderColor: grey, borderDash: [2, 2], borderWidth: 1.5, pointRadius: 0, fill: false, spanGaps: true });
      oSets.push({ label: "Not-on-track boundary", data: o.boundary, borderColor: amber, borderWidth: 1, pointRadius: 0, fill: "-1", backgroundColor: "rgba(183, 121, 31, 0.15)", spanGaps: true });
    }
    if (o.measure.cutoff !== null) oSets.push(cutoffLine(o.measure, n, "Clinical cutoff"));
    draw("outcome-chart", oSets, { y: { min: o.measure.min, max: o.measure.max, reverse: false, title: { display: true, text: o.measure.better === "lower" ? "lower is better" : "higher is better" } } });
  }
  var a = data.alliance;
  if (a.measure) {
    var aSets = [series(a.measure.name + " (client)", a.values, teal)];
    var scales = { y: { min: a.measure.min, max: a.measure.max } };
    if (a.therapist) {
      var sameScale = a.therapist.max === a.measure.max && a.therapist.min === a.measure.min;
      var t = series("Therapist's rating", a.therapist_values, ink);
      t.borderDash = [2, 3];
      if (!sameScale) {
        t.yAxisID = "y2";
        scales.y2 = { position: "right", min: a.therapist.min, max: a.therapist.max, grid: { drawOnChartArea: false } };
      }
      aSets.push(t);
    }
    if (a.measure.cutoff !== null) aSets.push(cutoffLine(a.measure, n, "Alliance cutoff"));
    if (a.markers && a.markers.some(function (m) { return m !== null; })) {
      var pick = function (kind) { return a.markers.map(function (m, i) { return m === kind ? a.values[i] : null; }); };
      aSets.push({ label: "Rupture", data: pick("rupture"), showLine: false, pointStyle: "triangle", pointRadius: 9, borderColor: red, backgroundColor: red });
      aSets.push({ label: "Repair", data: pick("repaired"), showLine: false, pointStyle: "circle", pointRadius: 8, borderColor: green, backgroundColor: "rgba(0,0,0,0)", borderWidth: 2 });
    }
    draw("alliance-chart", aSets, scales);
  }
})();
