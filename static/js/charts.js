// Charts (Chart.js): each <canvas data-chart="id"> draws the JSON in <script id="id">, made by
// billing/charts.py. A period still running ("partial": its index) is drawn hatched (bars) or
// dashed (lines) and named in the legend; a doughnut's legend shows each slice's count and
// share. The same figures are always in the table next to the chart. Loaded after Chart.js, it
// draws at once, before clientele.js's older drawer would (that one skips drawn canvases).
(function () {
  "use strict";
  const palette = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];

  function hatch(color) {
    const tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    const ctx = tile.getContext("2d");
    ctx.fillStyle = color + "40";
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, 8);
    ctx.lineTo(8, 0);
    ctx.moveTo(-2, 2);
    ctx.lineTo(2, -2);
    ctx.moveTo(6, 10);
    ctx.lineTo(10, 6);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  function datasetsOf(chart) {
    const round = chart.type === "doughnut";
    const partial = chart.partial;
    return Object.entries(chart.series).map(([label, values], index) => {
      const color = palette[index % palette.length];
      const dataset = {
        label,
        data: values.map(Number),
        backgroundColor: round ? palette : color,
        borderColor: round ? "#fff" : color,
        tension: 0.25,
        fill: false,
      };
      if (partial !== null && partial !== undefined && !round) {
        if (chart.type === "bar") {
          const pattern = hatch(color);
          dataset.backgroundColor = values.map((_, i) => (i === partial ? pattern : color));
          dataset.borderWidth = values.map((_, i) => (i === partial ? 1 : 0));
        } else {
          dataset.segment = {
            borderDash: (ctx) => (ctx.p1DataIndex === partial ? [6, 4] : undefined),
          };
          dataset.pointStyle = values.map((_, i) => (i === partial ? "rectRot" : "circle"));
          dataset.pointBackgroundColor = values.map((_, i) => (i === partial ? "#fff" : color));
        }
      }
      return dataset;
    });
  }

  function legendOf(chart, datasets) {
    const round = chart.type === "doughnut";
    const partial = chart.partial !== null && chart.partial !== undefined && !round;
    const legend = { display: round || datasets.length > 1 || partial, position: "bottom" };
    if (!partial) return legend;
    legend.labels = {
      generateLabels(instance) {
        const items = window.Chart.defaults.plugins.legend.labels.generateLabels(instance);
        items.push({
          text: chart.partial_label + " (so far)",
          fillStyle: chart.type === "bar" ? hatch("#6c757d") : "#fff",
          strokeStyle: "#6c757d",
          lineDash: chart.type === "bar" ? [] : [6, 4],
          lineWidth: 1,
          hidden: false,
          datasetIndex: -1,
        });
        return items;
      },
    };
    legend.onClick = (event, item, instance) => {
      if (item.datasetIndex < 0) return;
      window.Chart.defaults.plugins.legend.onClick.call(instance, event, item, instance);
    };
    return legend;
  }

  function draw() {
    if (!window.Chart) return;
    // Axis labels and grid lines in the page's colours (light or dark theme).
    const css = window.getComputedStyle(document.documentElement);
    window.Chart.defaults.color = css.getPropertyValue("--bs-secondary-color").trim() || "#6c757d";
    window.Chart.defaults.borderColor = css.getPropertyValue("--bs-border-color-translucent").trim() || "rgba(0,0,0,.175)";
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (canvas.dataset.drawn) return;
      const source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      const chart = JSON.parse(source.textContent);
      const round = chart.type === "doughnut";
      const datasets = datasetsOf(chart);
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: chart.type,
        data: { labels: round && chart.legend_labels ? chart.legend_labels : chart.labels, datasets },
        options: {
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: legendOf(chart, datasets) },
          scales: round ? {} : { y: { beginAtZero: true } },
        },
      });
    });
  }

  draw();
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
