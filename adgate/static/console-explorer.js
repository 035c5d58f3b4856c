// The Graph explorer's callback (client-side flow): the dialog put the token in the URL fragment,
// which never reaches the server. Post it back to the console, then clear it from the address bar.
(function () {
  "use strict";
  var form = document.getElementById("fragment-form");
  if (!form) { return; }
  var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  history.replaceState(null, "", window.location.pathname);
  if (params.get("error")) {
    document.getElementById("fragment-status").textContent = params.get("error_description") || "The login was cancelled.";
    return;
  }
  form.elements.access_token.value = params.get("access_token") || "";
  form.elements.state.value = params.get("state") || "";
  form.submit();
})();
