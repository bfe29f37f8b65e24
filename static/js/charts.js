// Bilan charts: a « Télécharger (PNG) » button beside each SVG download link. The PNG is drawn from the
// SVG file the link points to (same origin), on a canvas at twice its size. Without this script the SVG
// download stays.
(function () {
  "use strict";
  if (!window.fetch || !document.createElement("canvas").toBlob) { return; }

  function png(link, button) {
    fetch(link.href).then(function (r) { return r.text(); }).then(function (svg) {
      var image = new Image();
      image.onload = function () {
        var scale = 2;
        var canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth * scale;
        canvas.height = image.naturalHeight * scale;
        var ctx = canvas.getContext("2d");
        ctx.scale(scale, scale);
        ctx.drawImage(image, 0, 0);
        canvas.toBlob(function (blob) {
          var save = document.createElement("a");
          save.href = URL.createObjectURL(blob);
          save.download = link.getAttribute("data-png");
          document.body.appendChild(save);
          save.click();
          save.remove();
          setTimeout(function () { URL.revokeObjectURL(save.href); }, 10000);
        }, "image/png");
      };
      image.onerror = function () { button.textContent = "PNG indisponible : utilisez le SVG"; };
      image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("a[data-png]"), function (link) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-link small";
    button.textContent = "Télécharger le graphique (PNG)";
    button.addEventListener("click", function () { png(link, button); });
    link.parentNode.appendChild(document.createTextNode(" · "));
    link.parentNode.appendChild(button);
  });
})();
