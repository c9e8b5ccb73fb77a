// calsync board: progressive enhancement. Without this file every button is a plain form POST that
// redirects back; with it, actions are sent with fetch and the board is swapped in place (no reload).
"use strict";
(function () {
  function enhance(root) {
    root.querySelectorAll("button.copy").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (!source) { return; }
        var text = source.textContent;
        var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy draft"; }, 1500); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done);
        } else {
          var area = document.createElement("textarea");
          area.value = text;
          document.body.appendChild(area);
          area.select();
          document.execCommand("copy");
          area.remove();
          done();
        }
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") { return; }
    event.preventDefault();
    var submitter = event.submitter;
    var body = new URLSearchParams(new FormData(form, submitter));
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" })
      .then(function (response) {
        if (!response.ok) { return response.text().then(function (text) { throw new Error(text); }); }
        var around = form.closest("li[id], article[id]");
        return response.text().then(function (html) { swap(html, around ? "#" + around.id : ""); });
      })
      .catch(function (error) {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        window.alert(String(error.message || error));
      });
  });

  function swap(html, hash) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var main = fresh.getElementById("board");
    var old = document.getElementById("board");
    if (!main || !old) { window.location.reload(); return; }
    old.replaceWith(document.adoptNode(main));
    enhance(main);
    var asOf = fresh.querySelector(".as-of");
    var oldAsOf = document.querySelector(".as-of");
    if (asOf && oldAsOf) { oldAsOf.textContent = asOf.textContent; }
    if (hash) {
      history.replaceState(null, "", hash);
      var target = document.getElementById(hash.slice(1));
      if (target) { target.scrollIntoView({ block: "nearest" }); }
    }
    document.body.dataset.swapped = String(Number(document.body.dataset.swapped || 0) + 1);
  }

  enhance(document);
})();
