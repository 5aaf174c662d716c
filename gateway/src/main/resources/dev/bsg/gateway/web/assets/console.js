// The console's only script: copy buttons and the usage charts. Loaded with the page's CSP nonce; no inline handlers.
"use strict";
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.textContent).then(function () {
        var label = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });

  if (typeof uPlot === "undefined") return;
  document.querySelectorAll("[data-series]").forEach(function (element) {
    var series = JSON.parse(element.getAttribute("data-series"));
    if (!series.days || series.days.length === 0) return;
    var width = Math.max(240, element.clientWidth || 800);
    var options = {
      width: width,
      height: 240,
      series: [
        {},
        { label: "Cost (USD)", stroke: "#0b57d0", width: 2, value: function (u, v) { return v == null ? "" : "$" + v.toFixed(2); } },
        { label: "Tokens", stroke: "#8a5300", width: 2, scale: "tokens" }
      ],
      axes: [
        {},
        { label: "USD", size: 70, values: function (u, ticks) { return ticks.map(function (v) { return "$" + v.toFixed(v !== 0 && v < 0.01 ? 4 : 2); }); } },
        { side: 1, scale: "tokens", label: "tokens", size: 70, grid: { show: false } }
      ]
    };
    var chart = new uPlot(options, [series.days, series.cost, series.tokens], element);
    window.addEventListener("resize", function () {
      chart.setSize({ width: Math.max(240, element.clientWidth), height: 240 });
    });
  });
})();
