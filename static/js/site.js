// Site page: print button and a back link to the previous results when coming from them.
(function () {
  "use strict";
  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  var back = document.querySelector("[data-back]");
  if (back && document.referrer) {
    try {
      var ref = new URL(document.referrer);
      if (ref.origin === window.location.origin && ref.search) {
        back.href = ref.pathname + ref.search;
        back.textContent = "← Retour aux résultats";
      }
    } catch (e) { /* keep the default link */ }
  }
})();
