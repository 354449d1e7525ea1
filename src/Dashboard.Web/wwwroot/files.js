// The browser side of the upload and files pages. Files dropped on the zone or chosen are kept here, their first
// 64 KiB are handed to the page for a preview, and each is sent to POST /api/upload with its progress reported to the
// page; a file is deleted with DELETE /api/files/{id}. Both go through the REST API, as any client would.
window.saasmonFiles = (function () {
  var files = [];
  var previewBytes = 64 * 1024;

  function add(list, page) {
    Array.prototype.forEach.call(list, function (file) {
      var index = files.push(file) - 1;
      file.slice(0, previewBytes).arrayBuffer().then(function (head) {
        page.invokeMethodAsync("Added", index, file.name, file.size, new Uint8Array(head));
      });
    });
  }

  function attach(zone, input, page) {
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("drop-active"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("drop-active"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("drop-active");
      add(e.dataTransfer.files, page);
    });
    input.addEventListener("change", function () { add(input.files, page); input.value = ""; });
    zone.dataset.ready = "true";
  }

  function csrfToken() {
    return fetch("/api/user/current", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (user) { return user.csrf_token; });
  }

  function send(index, format, page) {
    return csrfToken().then(function (token) {
      var form = new FormData();
      form.append("file", files[index]);
      var xhr = new XMLHttpRequest();
      var last = 0;
      xhr.open("POST", "/api/upload?format=" + encodeURIComponent(format));
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.upload.onprogress = function (e) {
        var now = Date.now();
        if (e.lengthComputable && (now - last > 200 || e.loaded === e.total)) {
          last = now;
          page.invokeMethodAsync("Progress", index, e.loaded, e.total);
        }
      };
      xhr.onload = function () { files[index] = null; page.invokeMethodAsync("Sent", index, xhr.status, xhr.responseText); };
      xhr.onerror = function () { page.invokeMethodAsync("Sent", index, 0, "The connection to the server was lost."); };
      xhr.send(form);
    });
  }

  function forget(index) { files[index] = null; }

  // Answers [status, body] so the page can show the server's reason when it refuses.
  function remove(id) {
    return csrfToken().then(function (token) {
      return fetch("/api/files/" + encodeURIComponent(id), { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": token } });
    }).then(function (r) { return r.text().then(function (body) { return [r.status, body]; }); });
  }

  return { attach: attach, send: send, forget: forget, remove: remove };
})();
