/* Confiance web app: small enhancements. Every page works without them (forms post, links
   navigate); this file only draws charts and makes the header menus friendlier.
   No inline script anywhere: the Content-Security-Policy allows scripts from /static only. */
(function () {
  "use strict";

  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  /* Charts: <canvas data-chart="ID"> with its Chart.js config in
     <script type="application/json" id="ID"> (see the `chart` macro in _macros.html). */
  function drawCharts(root) {
    if (typeof window.Chart !== "function") {
      return;
    }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn === "true") {
        return;
      }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) {
        return;
      }
      var config = JSON.parse(source.textContent);
      config.options = Object.assign({
        locale: document.documentElement.lang || "fr",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : {}
      }, config.options || {});
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "true";
    });
  }

  /* Header menus (<details class="menu">): Escape closes the open one and gives the focus
     back to its summary; a click elsewhere closes them. */
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.activeElement && document.activeElement.closest("details.menu[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.menu"));
  });

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    drawCharts(event.target);
  });

  window.Confiance = { drawCharts: drawCharts };
}());
