/* PPRNet Explorer: small progressive enhancements. Every page works without this file.
   - Filters and sort apply as soon as they change (no "Apply" click needed), and empty
     fields are left out of the address.
   - After such a reload, focus returns to the control that was changed, so keyboard
     users keep their place in the filter list.
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
    var keep = document.querySelector(".keep-list");
    var tools = document.querySelector(".list-tools");
    if (keep && tools) {
      keep.addEventListener("click", function () {
        var here = (tools.getAttribute("data-ids") || "").split(",").filter(Boolean);
        writeList(here);
        keep.textContent = "Kept in this browser";
      });
    }
    var removers = document.querySelectorAll(".list-remove");
    for (var k = 0; k < removers.length; k++) {
      removers[k].addEventListener("click", function (event) {
        writeList(toggle(readList(), event.currentTarget.getAttribute("data-id"), false));
      });
    }
    var printer = document.querySelector(".print-button");
    if (printer) { printer.addEventListener("click", function () { window.print(); }); }
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
    if (id) {
      var target = document.getElementById(id);
      if (target) {
        var details = target.closest("details");
        if (details) { details.open = true; }
        target.focus();
      }
    }
  }

  // a page restored from the back/forward cache keeps fields disabled by the submit above
  window.addEventListener("pageshow", function () {
    var form = document.getElementById("search");
    if (!form) { return; }
    for (var f = 0; f < form.elements.length; f++) { form.elements[f].disabled = false; }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
