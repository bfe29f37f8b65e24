// Progressive enhancement of the search form: "Autour de moi" and place suggestions; after a search,
// focus on the answer's heading (results or choices). The form works without this script.
(function () {
  "use strict";
  // Arriving from one of our own pages (a search, a choice): the keyboard starts at the answer. A shared
  // link or a page opened by a partner site keeps the focus where the browser puts it.
  var answer = document.getElementById("results-title") || document.getElementById("choices-title");
  if (answer && document.referrer) {
    try {
      if (new URL(document.referrer).origin === window.location.origin) { answer.focus(); }
    } catch (e) { /* no focus move */ }
  }
})();

(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) { return; }
  var q = form.querySelector("#q");
  var lat = form.querySelector("#lat");
  var lon = form.querySelector("#lon");
  var locate = form.querySelector("#locate");
  var status = form.querySelector("#locate-status");
  var list = document.getElementById("q-suggestions");
  var api = form.getAttribute("data-geocode") || "/api/v1/geocode";

  // Typing a place replaces a previous position.
  q.addEventListener("input", function () {
    lat.disabled = true;
    lon.disabled = true;
  });

  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        lat.disabled = false;
        lon.disabled = false;
        q.value = "";
        status.textContent = "Position trouvée, recherche des lieux d'accueil…";
        form.submit();
      }, function () {
        status.textContent = "Votre position n'a pas pu être obtenue : saisissez une commune ou une adresse.";
      }, {enableHighAccuracy: false, timeout: 10000, maximumAge: 600000});
    });
  }

  var timer = null;
  var last = "";
  q.addEventListener("input", function () {
    clearTimeout(timer);
    var text = q.value.trim();
    if (text.length < 3 || text === last) { return; }
    timer = setTimeout(function () {
      last = text;
      fetch(api + "?limit=6&q=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (body) {
          list.textContent = "";
          (body.results || []).forEach(function (place) {
            var opt = document.createElement("option");
            opt.value = place.label;
            list.appendChild(opt);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 200);
  });
})();
