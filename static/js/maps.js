// Maps load when needed: Leaflet's files are fetched only for a map on the page, at once on wide screens
// (the map sits beside the list) and when the map comes near the viewport on small ones (it sits below
// the list, which says everything). Sets French control labels and a metric-only scale on every map.
// Each map's builder is registered by the page in window.sproMaps[id]. Pages work without this script.
(function () {
  "use strict";
  var builders = window.sproMaps || {};
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-map]"));
  if (!boxes.length) { return; }
  var loaded = {};

  function load(url, kind) {
    if (!loaded[url]) {
      loaded[url] = new Promise(function (resolve, reject) {
        var el = document.createElement(kind === "css" ? "link" : "script");
        if (kind === "css") { el.rel = "stylesheet"; el.href = url; } else { el.src = url; el.async = false; }
        el.onload = resolve;
        el.onerror = reject;
        document.head.appendChild(el);
      });
    }
    return loaded[url];
  }

  function urls(box, name) {
    return (box.getAttribute(name) || "").split(" ").filter(Boolean);
  }

  function french() {
    var L = window.L;
    if (!L || L.sproFrench) { return; }
    L.sproFrench = true;
    L.Control.Zoom.prototype.options.zoomInTitle = "Zoom avant";
    L.Control.Zoom.prototype.options.zoomOutTitle = "Zoom arrière";
    L.Control.Scale.prototype.options.imperial = false;
    L.Control.Attribution.prototype.options.prefix = "Leaflet";
    L.Map.addInitHook(function () {
      L.control.scale().addTo(this);
      (window.sproMapInstances = window.sproMapInstances || []).push(this);  // for tests and debugging
    });
  }

  function start(box) {
    if (box.getAttribute("data-map-started")) { return; }
    box.setAttribute("data-map-started", "1");
    urls(box, "data-css").forEach(function (u) { load(u, "css"); });
    var scripts = urls(box, "data-js").map(function (u) { return load(u, "js"); });
    Promise.all(scripts).then(function () {
      french();
      var build = builders[box.getAttribute("data-map")];
      if (build) { build(); }
    }).catch(function () { box.setAttribute("data-map-failed", "1"); });
  }

  var wide = window.matchMedia && window.matchMedia("(min-width: 60rem)").matches;
  boxes.forEach(function (box) {
    if (wide || box.hasAttribute("data-map-eager") || !("IntersectionObserver" in window)) {
      start(box);
      return;
    }
    var watch = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        watch.disconnect();
        start(box);
      }
    }, {rootMargin: "200px 0px"});
    watch.observe(box);
  });
})();
