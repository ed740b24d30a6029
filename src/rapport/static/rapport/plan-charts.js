// One small chart per goal: the client's own progress ratings, the linked measure and its target.
(function () {
  "use strict";
  var el = document.getElementById("goal-chart-data");
  if (!el || !window.Chart) return;
  var data = JSON.parse(el.textContent);
  var teal = "#0f7b6c", blue = "#1f5fbf", grey = "#6b7280";
  data.goals.forEach(function (goal) {
    var canvas = document.getElementById("goal-chart-" + goal.key);
    if (!canvas) return;
    var sets = [{
      label: goal.gas ? "Client-rated GAS level" : "Client-rated progress (0–10)",
      data: goal.ratings, borderColor: teal, backgroundColor: teal, spanGaps: true, yAxisID: "y",
    }];
    var scales = { y: goal.gas ? { min: -2, max: 2, ticks: { stepSize: 1 } } : { min: 0, max: 10 } };
    if (goal.scores.length) {
      sets.push({ label: goal.benchmark.split(" ")[0], data: goal.scores, borderColor: blue, backgroundColor: blue, spanGaps: true, yAxisID: "y2" });
      sets.push({ label: "Target (" + goal.benchmark + ")", data: goal.scores.map(function () { return goal.target; }), borderColor: grey, borderDash: [6, 4], pointRadius: 0, yAxisID: "y2" });
      scales.y2 = { position: "right", grid: { drawOnChartArea: false } };
    }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: sets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales },
    });
  });
})();
