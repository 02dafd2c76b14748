/* Draws every <canvas data-chart="ID"> from the JSON block <script id="ID"
   type="application/json"> (Django's json_script), on page load and after every htmx swap
   (htmx.onLoad). No inline script, no eval: runs under the strict Content-Security-Policy.
   The data block: {"labels": [...], "datasets": [{"label", "data", ...Chart.js dataset
   options}], "options": {"y_max", "y_min", "y_suffix", "stacked", "legend"}}. */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    return [1, 2, 3, 4, 5].map(function (i) { return cssVar("--chart-" + i, "#2453c0"); });
  }

  function withAlpha(hex, alpha) {
    var m = /^#([0-9a-f]{6})$/i.exec(hex);
    if (!m) { return hex; }
    var n = parseInt(m[1], 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function build(canvas) {
    var block = document.getElementById(canvas.dataset.chart);
    if (!block || typeof window.Chart === "undefined") { return; }
    var spec = JSON.parse(block.textContent);
    var kind = canvas.dataset.kind || "line";
    var opts = spec.options || {};
    var colours = palette();
    var suffix = opts.y_suffix || "";
    var datasets = (spec.datasets || []).map(function (ds, i) {
      var colour = ds.color || colours[i % colours.length];
      var out = {
        label: ds.label,
        data: ds.data,
        borderColor: colour,
        backgroundColor: kind === "line" ? withAlpha(colour, 0.12) : colour,
        borderWidth: kind === "line" ? 2 : 0,
        pointRadius: kind === "line" && (ds.data || []).length > 20 ? 0 : 2.5,
        pointHoverRadius: 4,
        tension: 0.25,
        fill: ds.fill === true,
        spanGaps: true
      };
      ["type", "stack", "borderDash", "order", "stepped"].forEach(function (key) {
        if (ds[key] !== undefined) { out[key] = ds[key]; }
      });
      return out;
    });
    var grid = cssVar("--chart-grid", "#e6e9ef");
    var ink = cssVar("--c-muted", "#5a6477");
    var existing = window.Chart.getChart(canvas);
    if (existing) { existing.destroy(); }
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: kind,
      data: { labels: spec.labels || [], datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduced ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        onResize: function (chart, size) {
          chart.options.scales.x.ticks.maxTicksLimit = size.width < 500 ? 4 : 8;
        },
        plugins: {
          legend: { display: opts.legend !== false && datasets.length > 1,
                    position: "bottom", labels: { color: ink, boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = ctx.parsed.y;
                var text = v === null || v === undefined ? "—" : (Math.round(v * 10) / 10).toLocaleString();
                return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + text + suffix;
              }
            }
          }
        },
        scales: {
          x: { stacked: !!opts.stacked, grid: { display: false },
               ticks: { color: ink, maxRotation: 0, autoSkip: true,
                        maxTicksLimit: canvas.clientWidth < 500 ? 4 : 8 } },
          y: { stacked: !!opts.stacked, min: opts.y_min, max: opts.y_max,
               grid: { color: grid }, border: { display: false },
               ticks: { color: ink, callback: function (v) { return v.toLocaleString() + suffix; } } }
        }
      }
    });
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var canvases = scope.querySelectorAll("canvas[data-chart]");
    if (scope.matches && scope.matches("canvas[data-chart]")) { build(scope); }
    for (var i = 0; i < canvases.length; i++) { build(canvases[i]); }
  }

  if (window.htmx) {
    window.htmx.onLoad(drawAll);
  } else {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  }
  // Charts size to their box: resize them for the printed page and back.
  window.addEventListener("beforeprint", function () {
    Object.values(window.Chart ? window.Chart.instances : {}).forEach(function (c) { c.resize(); });
  });
})();
