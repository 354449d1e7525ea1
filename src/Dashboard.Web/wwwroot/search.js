// The browser side of the search page: the clipboard and the CSV export (a script file, as the page's content policy
// forbids inline script).
window.saasmonSearch = (function () {
  // Answers whether the browser took the text.
  function copy(text) {
    return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return false; });
  }

  // Reads the export as it streams in, telling the page the events (lines outside quoted cells, less the header) and
  // bytes so far at most five times a second, then saves it under the given name.
  function exportCsv(url, fileName, page) {
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (body) { page.invokeMethodAsync("ExportFailed", response.status, body); });
      }

      var reader = response.body.getReader();
      var parts = [];
      var bytes = 0;
      var lines = 0;
      var quoted = false;
      var reported = 0;
      function read() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            save(new Blob(parts, { type: "text/csv" }), fileName);
            return page.invokeMethodAsync("ExportProgress", Math.max(0, lines - 1), bytes, true);
          }

          var data = chunk.value;
          parts.push(data);
          bytes += data.length;
          for (var i = 0; i < data.length; i++) {
            if (data[i] === 34) {
              quoted = !quoted;
            } else if (data[i] === 10 && !quoted) {
              lines++;
            }
          }

          var now = Date.now();
          if (now - reported > 200) {
            reported = now;
            page.invokeMethodAsync("ExportProgress", Math.max(0, lines - 1), bytes, false);
          }

          return read();
        });
      }

      return read();
    }).catch(function () { page.invokeMethodAsync("ExportFailed", 0, ""); });
  }

  function save(blob, fileName) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  }

  return { copy: copy, exportCsv: exportCsv };
})();
