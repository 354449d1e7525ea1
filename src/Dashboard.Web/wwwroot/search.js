// The browser side of the search page: the clipboard (a script file, as the page's content policy forbids inline script).
window.saasmonSearch = (function () {
  // Answers whether the browser took the text.
  function copy(text) {
    return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return false; });
  }

  return { copy: copy };
})();
