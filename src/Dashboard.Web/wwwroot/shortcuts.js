// Keyboard shortcuts of the dashboard: "/" focuses the search box, Escape closes an open panel.
document.addEventListener("keydown", function (e) {
  var target = e.target;
  var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
  if (e.key === "/" && !typing) {
    var query = document.querySelector("[data-testid=query] input, input[data-testid=query]");
    if (query) {
      e.preventDefault();
      query.focus();
    }
  } else if (e.key === "Escape") {
    var close = document.querySelector(".detail-panel [aria-label=Close]");
    if (close) {
      close.click();
    }
  }
});
