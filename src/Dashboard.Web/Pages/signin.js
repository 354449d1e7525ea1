// The sign-in and first-run setup pages. Text from the server is only ever set as textContent.
(function () {
  "use strict";

  function localReturnUrl() {
    var url = new URLSearchParams(location.search).get("returnUrl") || "/";
    return url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\" ? url : "/";
  }

  function bindForm(form) {
    var error = form.querySelector(".error");
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      error.hidden = true;
      var body = { username: form.username.value, password: form.password.value };
      if (form.id === "setup") {
        body.token = new URLSearchParams(location.search).get("token");
      }
      var response = await fetch(form.dataset.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin"
      });
      if (response.ok) {
        location.assign(localReturnUrl());
        return;
      }
      var problem = await response.json().catch(function () { return {}; });
      error.textContent = problem.detail || problem.title || ("Failed (" + response.status + ")");
      error.hidden = false;
    });
  }

  document.querySelectorAll("form[data-endpoint]").forEach(bindForm);
  var sso = document.getElementById("sso");
  if (sso && document.body.dataset.sso === "true") {
    sso.hidden = false;
  }
})();
