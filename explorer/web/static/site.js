/* PPRNet Explorer: small progressive enhancements. Every page works without this file.
   - Filters and sort apply as soon as they change (no "Apply" click needed).
   - After such a reload, focus returns to the control that was changed, so keyboard
     users keep their place in the filter list. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var KEY = "pprnet-refocus";

  function ready() {
    var form = document.getElementById("search");
    if (form) {
      var controls = document.querySelectorAll(".auto-submit");
      for (var i = 0; i < controls.length; i++) {
        controls[i].addEventListener("change", function (event) {
          try { sessionStorage.setItem(KEY, event.target.id); } catch (e) { /* private mode */ }
          if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        });
      }
    }
    var id = null;
    try { id = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { id = null; }
    if (id) {
      var target = document.getElementById(id);
      if (target) {
        var details = target.closest("details");
        if (details) { details.open = true; }
        target.focus();
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
