/* pcbook: small fixes for the theme, loaded on every page (registered by tools/sphinx_pcbook.py). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  /* 1. Navigation toggles. pydata-sphinx-theme binds its click handlers (open the site navigation /
     "On this page" as a dialog on narrow screens) with document.querySelector(".primary-toggle") and
     (".secondary-toggle"), and sphinx-book-theme binds its desktop "hide the sidebar" handler the same
     way. querySelector returns the first such button, which is a hidden one in the theme's header;
     the visible buttons that sphinx-book-theme puts in the article header get no handler, so they did
     nothing at any width. Every other toggle forwards its click to that first button, whose handlers
     then do the theme's own thing (buttons are keyboard-activatable, so Enter/Space work too). */
  ready(function () {
    [["primary", "Site navigation"], ["secondary", "On this page"]].forEach(function (pair) {
      var kind = pair[0], label = pair[1];
      var first = document.querySelector("." + kind + "-toggle");
      if (!first) { return; }
      document.querySelectorAll("." + kind + "-toggle").forEach(function (button) {
        button.setAttribute("aria-label", label);
        button.removeAttribute("title");
        button.setAttribute("aria-controls", "pst-" + kind + "-sidebar");
        if (button === first) { return; }
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          // the theme's dialog moves focus into itself and, when closed, back to this button
          first.click();
        });
      });
    });
    /* Icon-only buttons: an accessible name, and no tooltip title that differs from it. */
    document.querySelectorAll(".theme-switch-button").forEach(function (b) {
      b.setAttribute("aria-label", "Colour mode: light, dark or system");
      b.querySelectorAll("[title]").forEach(function (i) { i.removeAttribute("title"); });
    });
    document.querySelectorAll(".search-button__button").forEach(function (b) {
      var text = (b.innerText || "").replace(/\s+/g, " ").trim();
      b.setAttribute("aria-label", text ? text : "Search");
      b.removeAttribute("title");
    });
  });

  /* 2. Display math never scrolls. MathJax 4 breaks long equations at the column width; an
     equation that cannot break (an aligned block) is scaled down until it fits, and again when the
     window changes size. window.pcbookMathFitted resolves once the first pass is done. */
  function fitMath() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (el) {
      el.style.fontSize = "";
      var room = el.clientWidth, need = el.scrollWidth;
      if (room > 0 && need > room + 1) {
        el.style.fontSize = Math.max(50, Math.floor(100 * room / need)) + "%";
      }
    });
  }
  window.pcbookMathFitted = new Promise(function (resolve) {
    ready(function () {
      var tries = 0;
      (function wait() {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
          MathJax.startup.promise.then(function () { fitMath(); resolve(); });
        } else if (tries++ < 100 && document.querySelector(".math")) {
          setTimeout(wait, 50);
        } else {
          resolve();
        }
      })();
    });
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(fitMath, 150);
  });

  /* 3. Search snippets: Sphinx builds them from each page's HTML source, before MathJax runs, so
     they showed raw TeX and the ".ipynb"/".pdf" labels of the page's download buttons. Drop the
     article header, the math and the sliders' scripts before Sphinx reads the text. */
  ready(function () {
    if (typeof Search === "undefined" || !Search.htmlToText) { return; }
    var original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".bd-header-article, .math, .eqno, .pcbook-slider, .cell_input, " +
                           ".cell_output, .headerlink, .caption-number").forEach(function (el) {
        el.replaceWith(el.classList.contains("math") && el.tagName === "SPAN" ? "\u2026" : "");
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
  });
})();
