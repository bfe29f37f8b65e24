// Inside the partner widget: report the content height to the host page so it can size the iframe.
// Cookie-less; the message carries only a height.
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var root = document.getElementById("embed-root");
  if (!root) { return; }
  var last = -1;
  function report() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) { return; }
    last = height;
    window.parent.postMessage({ type: "spro-embed:height", height: height }, "*");
  }
  if ("ResizeObserver" in window) {
    new ResizeObserver(report).observe(root);
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  report();
})();
