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
