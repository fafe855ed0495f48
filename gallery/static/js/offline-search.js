// The search page of a static copy (export-static; templates/public/search.html with
// `offline`): the copy has no server to ask, so this script loads the copy's own index
// (search-index.js beside the page, a script: a page opened from file:// may load one,
// never fetch a file) and searches it here. Nothing is sent anywhere; no request leaves
// the copy. The words come from the form or from ?q= (the header's search box of every
// page of the copy leads here with them).
(function () {
  "use strict";

  var form = document.querySelector("form[data-offline-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("offline-search-status");
  var list = document.getElementById("offline-search-results");
  var lang = document.documentElement.lang || "en";
  var MAX_RESULTS = 100;
  var entries = null;

  // Lower case, without accents, ё as е: "Miftakhov" finds "miftakhov", "Мифтахов" finds
  // "МИФТАХОВ", "élan" finds "elan".
  function fold(text) {
    var lower = String(text || "").toLowerCase();
    if (lower.normalize) lower = lower.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return lower.replace(/ё/g, "е");
  }

  var SEPARATOR;
  try {
    SEPARATOR = new RegExp("[^\\p{L}\\p{N}]+", "u"); // anything but letters and digits
  } catch (error) {
    SEPARATOR = /[\s.,;:!?()\[\]"'«»„“”‘’\-–—·\/]+/;
  }

  function words(text) {
    return fold(text).split(SEPARATOR).filter(Boolean);
  }

  function prepare(index) {
    return (index.entries || []).map(function (entry) {
      return {
        entry: entry,
        // What counts as the title: a work's; a prisoner's names in every script.
        title: fold(entry.k === "work" ? entry.t : entry.t + " " + entry.w),
        haystack: fold([entry.t, entry.s, entry.w].join(" "))
      };
    });
  }

  function search(query) {
    var wanted = words(query);
    if (!wanted.length) return null;
    var found = [];
    entries.forEach(function (item, position) {
      var score = 0;
      for (var i = 0; i < wanted.length; i++) {
        if (item.haystack.indexOf(wanted[i]) === -1) return;
        if (item.title.indexOf(wanted[i]) !== -1) score += 2;
      }
      found.push({ item: item, score: score, position: position });
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.position - b.position;
    });
    return found.map(function (hit) {
      return hit.item.entry;
    });
  }

  function say(text) {
    status.textContent = text;
  }

  function show(query) {
    while (list.firstChild) list.removeChild(list.firstChild);
    if (entries === null) return;
    var results = search(query);
    if (results === null) return;
    if (!results.length) {
      say(form.getAttribute("data-none"));
      return;
    }
    say(form.getAttribute("data-found").replace("{n}", String(results.length)));
    results.slice(0, MAX_RESULTS).forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "result";
      var body = document.createElement("div");
      var kind = document.createElement("p");
      kind.className = "result__kind";
      kind.textContent = form.getAttribute("data-kind-" + entry.k) || "";
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = entry.u; // relative to this page, inside the copy
      link.textContent = entry.t;
      heading.appendChild(link);
      body.appendChild(kind);
      body.appendChild(heading);
      if (entry.s) {
        var under = document.createElement("p");
        under.textContent = entry.s;
        body.appendChild(under);
      }
      item.appendChild(body);
      list.appendChild(item);
    });
  }

  function queryFromAddress() {
    var match = /(?:^|[?&])q=([^&#]*)/.exec(window.location.search);
    if (!match) return "";
    try {
      return decodeURIComponent(match[1].replace(/\+/g, " "));
    } catch (error) {
      return "";
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    try {
      // The address names the search, for the back button and for a bookmark.
      var address = window.location.pathname + "?q=" + encodeURIComponent(input.value);
      window.history.replaceState(null, "", address);
    } catch (error) {
      // Some browsers refuse it on file:// pages: the search is shown all the same.
    }
  });

  var script = document.createElement("script");
  script.src = form.getAttribute("data-index");
  script.onload = function () {
    var all = window.artProtestSearchIndex || {};
    entries = prepare(all[lang] || { entries: [] });
    var query = queryFromAddress();
    if (query) {
      input.value = query;
      show(query);
    }
  };
  script.onerror = function () {
    say(form.getAttribute("data-unavailable"));
  };
  document.head.appendChild(script);
})();
