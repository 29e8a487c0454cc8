/* Search of wpcpd export html: plain JavaScript over window.WPCPD_SEARCH (search-index.js),
   which a page opened from file:// can load as a script. Results are built with the DOM,
   never as HTML, so no title or text can inject markup. */
(function () {
  "use strict";
  var index = window.WPCPD_SEARCH || [];
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!input || !status || !list) { return; }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = index.map(function (entry) {
    return { title: fold(entry.t), text: fold(entry.x) };
  });

  function score(i, phrase, words) {
    var title = folded[i].title, text = folded[i].text, points = 0;
    for (var w = 0; w < words.length; w++) {
      if (title.indexOf(words[w]) < 0 && text.indexOf(words[w]) < 0) { return 0; }
    }
    if (title.indexOf(phrase) >= 0) { points += 100; }
    if (text.indexOf(phrase) >= 0) { points += 50; }
    for (var v = 0; v < words.length; v++) {
      if (title.indexOf(words[v]) >= 0) { points += 10; }
    }
    return points + 1;
  }

  function snippet(entry, words) {
    var text = entry.x || "", lower = fold(text), at = -1;
    for (var w = 0; w < words.length && at < 0; w++) { at = lower.indexOf(words[w]); }
    var start = Math.max(0, at - 60);
    var piece = (start > 0 ? "… " : "") + text.slice(start, start + 200);
    return piece + (start + 200 < text.length ? " …" : "");
  }

  function show(query) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var phrase = fold(query).replace(/\s+/g, " ").trim();
    if (!phrase) { status.textContent = "Type words to find posts."; return; }
    var words = phrase.split(" ");
    var found = [];
    for (var i = 0; i < index.length; i++) {
      var points = score(i, phrase, words);
      if (points) { found.push([points, i]); }
    }
    found.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.textContent = found.length === 1 ? "1 result for “" + query + "”"
      : found.length + " results for “" + query + "”";
    found.slice(0, 100).forEach(function (hit) {
      var entry = index[hit[1]];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.u;
      link.className = "result";
      link.textContent = entry.t;
      item.appendChild(link);
      if (entry.k) {
        var badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = entry.k;
        item.appendChild(badge);
      }
      var meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = entry.d;
      item.appendChild(meta);
      var text = document.createElement("p");
      text.textContent = snippet(entry, words);
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  show(query);
  input.addEventListener("input", function () { show(input.value); });
  input.focus();
}());
