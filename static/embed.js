// SPRO Auvergne-Rhône-Alpes partner widget loader.
// Usage: <div data-spro-widget data-commune="69123" data-network="mission-locale"></div>
//        <script src="https://<this server>/static/embed.js" async></script>
// Replaces each such div by an iframe of /embed with the div's data-* presets, and resizes
// the iframe to the height the widget reports. Sets no cookie and stores nothing.
(function () {
  "use strict";
  var PRESETS = ["commune", "network", "department", "level", "age", "status", "qualification",
                 "profile", "limit", "view", "accent", "lang", "falc"];
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var server = new URL(script.src).origin;
  var frames = [];

  function build(div) {
    if (div.getAttribute("data-spro-ready")) { return; }
    div.setAttribute("data-spro-ready", "1");
    var params = new URLSearchParams();
    PRESETS.forEach(function (name) {
      var value = div.getAttribute("data-" + name);
      if (value) { params.set(name, value); }
    });
    params.set("partner", window.location.origin);
    var frame = document.createElement("iframe");
    frame.src = server + "/embed?" + params.toString();
    frame.title = div.getAttribute("data-title") || "Trouver un lieu d'accueil (SPRO Auvergne-Rhône-Alpes)";
    frame.setAttribute("allow", "geolocation");
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = (parseInt(div.getAttribute("data-height"), 10) || 640) + "px";
    div.textContent = "";
    div.appendChild(frame);
    frames.push(frame);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== server || !event.data || event.data.type !== "spro-embed:height") { return; }
    var height = Number(event.data.height);
    if (!isFinite(height) || height <= 0 || height > 20000) { return; }
    frames.forEach(function (frame) {
      if (frame.contentWindow === event.source) { frame.style.height = Math.ceil(height) + "px"; }
    });
  });

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-spro-widget]"), build);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
