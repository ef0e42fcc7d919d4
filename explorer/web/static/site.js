/* PPRNet Explorer: small progressive enhancements. Every page works without this file.
   - Filters and sort apply as soon as they change (no "Apply" click needed), and empty
     fields are left out of the address.
   - After such a reload, focus returns to the control that was changed, so keyboard
     users keep their place in the filter list; where the filters sit below the results
     (a narrow screen) the reader lands on the new result count instead, next to the
     "Filters" link back.
   - Back/forward shows every search control as the server wrote it for that address,
     not as the browser remembered it (form restoration, back/forward cache).
   - The reading list is also kept in this browser (localStorage): ticking a result or
     "Add to reading list" adds it, the header links to it. Without JavaScript the same
     lists work through the address (/list?ids=...).
   - "Copy citation" puts the APA reference on the clipboard. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var KEY = "pprnet-refocus";

  var LIST_KEY = "pprnet-reading-list";

  function readList() {
    try {
      var ids = JSON.parse(localStorage.getItem(LIST_KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (x) { return typeof x === "string"; }) : [];
    } catch (e) { return []; }
  }

  function writeList(ids) {
    try { localStorage.setItem(LIST_KEY, JSON.stringify(ids)); } catch (e) { /* private mode */ }
    showListCount(ids);
  }

  function listHref(ids) {
    return "/list" + (ids.length ? "?ids=" + ids.map(encodeURIComponent).join(",") : "");
  }

  function showListCount(ids) {
    var links = document.querySelectorAll(".list-nav");
    for (var i = 0; i < links.length; i++) {
      links[i].setAttribute("href", listHref(ids));
      var count = links[i].querySelector(".list-count");
      if (count) { count.textContent = ids.length ? String(ids.length) : ""; }
    }
  }

  function toggle(ids, id, on) {
    var at = ids.indexOf(id);
    if (on && at < 0) { ids.push(id); }
    if (!on && at >= 0) { ids.splice(at, 1); }
    return ids;
  }

  function setupList() {
    var ids = readList();
    showListCount(ids);
    var boxes = document.querySelectorAll(".list-toggle");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = ids.indexOf(boxes[i].value) >= 0;
      boxes[i].addEventListener("change", function (event) {
        writeList(toggle(readList(), event.target.value, event.target.checked));
      });
    }
    var adders = document.querySelectorAll(".list-add");
    for (var j = 0; j < adders.length; j++) {
      labelAdder(adders[j], ids);
      adders[j].addEventListener("click", function (event) {
        event.preventDefault();
        var link = event.currentTarget, id = link.getAttribute("data-id");
        var now = readList(), on = now.indexOf(id) < 0;
        now = toggle(now, id, on);
        writeList(now);
        labelAdder(link, now);
      });
    }
    setupKeep();
    var printer = document.querySelector(".print-button");
    if (printer) { printer.addEventListener("click", function () { window.print(); }); }
  }

  function sameIds(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (b.indexOf(a[i]) < 0) { return false; } }
    return true;
  }

  function plural(n) { return n + (n === 1 ? " summary" : " summaries"); }

  // A list page shows either the list kept in this browser or another one (a shared link).
  // Keeping another list never silently drops the kept one: with a different list already
  // kept, the reader chooses "add these to my list" or "replace my list"; and removing an
  // entry from a shared list leaves the kept list alone.
  function setupKeep() {
    var tools = document.querySelector(".list-tools");
    var keep = document.querySelector(".keep-list");
    if (!tools || !keep) { return; }
    var here = (tools.getAttribute("data-ids") || "").split(",").filter(Boolean);
    var add = document.querySelector(".keep-add");
    var note = document.querySelector(".kept-note");
    var shownIsKept = sameIds(here, readList());

    function describe() {
      var kept = readList();
      shownIsKept = sameIds(here, kept);
      var other = kept.length > 0 && !shownIsKept;
      keep.textContent = shownIsKept ? "Kept in this browser"
        : other ? "Replace my list (" + plural(kept.length) + ") with this one"
        : "Keep this list in this browser";
      keep.disabled = shownIsKept;
      if (add) {
        add.hidden = !other;
        add.disabled = false;
        add.textContent = "Add these to my list";
      }
      if (note) {
        note.hidden = !other;
        var link = note.querySelector("a");
        if (link) {
          link.setAttribute("href", listHref(kept));
          link.textContent = plural(kept.length);
        }
      }
    }

    keep.addEventListener("click", function () { writeList(here.slice()); describe(); });
    if (add) {
      add.addEventListener("click", function () {
        var kept = readList();
        for (var i = 0; i < here.length; i++) { toggle(kept, here[i], true); }
        writeList(kept);
        describe();
        if (!add.hidden) { add.disabled = true; add.textContent = "Added to my list"; }
      });
    }
    describe();
    var removers = document.querySelectorAll(".list-remove");
    for (var k = 0; k < removers.length; k++) {
      removers[k].addEventListener("click", function (event) {
        if (shownIsKept) {
          writeList(toggle(readList(), event.currentTarget.getAttribute("data-id"), false));
        }
      });
    }
  }

  function labelAdder(link, ids) {
    var on = ids.indexOf(link.getAttribute("data-id")) >= 0;
    link.textContent = on ? "In your reading list (remove)" : "Add to reading list";
    link.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function setupCopy() {
    var buttons = document.querySelectorAll(".copy-button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        var button = event.currentTarget;
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        var status = button.parentNode.querySelector(".copy-status");
        if (!target) { return; }
        var text = target.getAttribute("data-copy-text") || target.textContent;
        var done = function (ok) {
          if (status) { status.textContent = ok ? "Copied." : "Select the reference and copy it."; }
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { done(true); },
            function () { done(selectAndCopy(target)); });
        } else {
          done(selectAndCopy(target));
        }
      });
    }
  }

  function selectAndCopy(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  // After a form posted to "...#suggestions" the browser scrolls to the fragment, but a
  // late stylesheet or font can move the target after that scroll: scroll again once loaded.
  function keepFragmentInView() {
    var id = window.location.hash.slice(1);
    var target = id && document.getElementById(id);
    if (target && target.getBoundingClientRect().top > window.innerHeight / 2) {
      target.scrollIntoView();
    }
  }

  function ready() {
    setupList();
    setupCopy();
    window.addEventListener("load", keepFragmentInView);
    var form = document.getElementById("search");
    if (form) {
      form.addEventListener("submit", function () {
        // leave empty fields out of the address (the server would redirect anyway)
        var fields = form.elements;
        for (var f = 0; f < fields.length; f++) {
          if (fields[f].name && fields[f].value === "" && !fields[f].disabled) {
            fields[f].disabled = true;
          }
        }
      });
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
    if (id) { returnAfterFilter(document.getElementById(id)); }
  }

  // After a filter reload: focus the changed control when it shares the screen with the
  // results (filters beside them); when the filters sit below the results (narrow
  // screens), land on the result count instead, where "Filters" links back.
  function returnAfterFilter(target) {
    if (!target) { return; }
    var heading = document.getElementById("results-heading");
    var results = heading && heading.closest(".results");
    var filters = target.closest(".facets");
    var stacked = results && filters &&
      filters.getBoundingClientRect().top >= results.getBoundingClientRect().bottom - 1;
    if (stacked) {
      if (!heading.hasAttribute("tabindex")) { heading.setAttribute("tabindex", "-1"); }
      heading.focus();
      heading.scrollIntoView({ block: "start", behavior: "instant" });
      return;
    }
    var details = target.closest("details");
    if (details) { details.open = true; }
    target.focus();
  }

  // Back/forward: the browser may restore the search controls as they were left (a box
  // ticked just before the reload that applied it) or show a cached page whose fields
  // the submit handler disabled. Either way the controls would no longer describe the
  // address shown, and the next search would quietly carry a filter. Put every control
  // back to what the server wrote for this address.
  function resetToAddress(form) {
    for (var f = 0; f < form.elements.length; f++) {
      var el = form.elements[f];
      el.disabled = false;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = el.defaultChecked;
      } else if (el.tagName === "SELECT") {
        for (var o = 0; o < el.options.length; o++) {
          el.options[o].selected = el.options[o].defaultSelected;
        }
      } else if ("defaultValue" in el && el.type !== "submit" && el.type !== "button") {
        el.value = el.defaultValue;
      }
    }
  }

  function historyVisit(event) {
    if (event.persisted) { return true; }
    try {
      var nav = performance.getEntriesByType("navigation")[0];
      return !!nav && (nav.type === "back_forward" || nav.type === "reload");
    } catch (e) { return false; }
  }

  window.addEventListener("pageshow", function (event) {
    var form = document.getElementById("search");
    if (!form) { return; }
    if (historyVisit(event)) {
      resetToAddress(form);
    } else {
      for (var f = 0; f < form.elements.length; f++) { form.elements[f].disabled = false; }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
