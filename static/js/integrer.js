// Configurator: "Copier" buttons (progressive: the code can always be selected by hand).
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");
  if (!navigator.clipboard) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).value;
      navigator.clipboard.writeText(text).then(function () {
        status.textContent = "Code copié dans le presse-papiers.";
      }, function () {
        status.textContent = "La copie a échoué : sélectionnez le code et copiez-le.";
      });
    });
  });
})();

// Live preview: as the partner changes a setting, ask the server for the configurator with
// those settings and take its snippets and preview address (one implementation: the server's).
(function () {
  "use strict";
  var form = document.querySelector(".integrer-form");
  var frame = document.querySelector("iframe.preview");
  if (!form || !frame || !window.fetch || !window.DOMParser) { return; }
  var status = document.querySelector(".copy-status");
  var timer = null;
  var pending = null;

  function refresh() {
    var params = new URLSearchParams(new FormData(form)).toString();
    var url = form.getAttribute("action") + (params ? "?" + params : "");
    pending = url;
    fetch(url, {headers: {Accept: "text/html"}}).then(function (r) {
      return r.text().then(function (html) { return {ok: r.ok, html: html}; });
    }).then(function (answer) {
      if (pending !== url) { return; }  // a newer change is on its way
      var doc = new DOMParser().parseFromString(answer.html, "text/html");
      ["snippet-loader", "snippet-iframe"].forEach(function (id) {
        var fresh = doc.getElementById(id);
        var mine = document.getElementById(id);
        if (fresh && mine) { mine.value = fresh.value; }
      });
      // The commune retained (and its homonyms), said as the partner types: parsed nodes, not HTML text.
      var freshCommune = doc.getElementById("commune-retenue");
      var myCommune = document.getElementById("commune-retenue");
      if (freshCommune && myCommune) {
        myCommune.replaceChildren.apply(myCommune, Array.prototype.map.call(freshCommune.childNodes, function (n) {
          return document.importNode(n, true);
        }));
      }
      var freshFrame = doc.querySelector("iframe.preview");
      if (answer.ok && freshFrame && freshFrame.getAttribute("src") !== frame.getAttribute("src")) {
        frame.setAttribute("src", freshFrame.getAttribute("src"));
      }
      history.replaceState(null, "", url);
      if (status) {
        status.textContent = answer.ok ? "Aperçu et code mis à jour." : "Un réglage est invalide : validez le formulaire pour voir le détail.";
      }
    }).catch(function () { /* the submit button still works */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
})();
