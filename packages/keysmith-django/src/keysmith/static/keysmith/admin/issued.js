// The one-time token page: copy buttons, and a history entry that no longer re-posts the form.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const page = document.querySelector(".keysmith-issued");
  if (page === null) {
    return;
  }
  // Reloading must not submit the form again (a second token); it loads this URL instead.
  const after = page.dataset.afterUrl;
  if (after && window.history.replaceState) {
    window.history.replaceState(null, "", after);
  }
  document.querySelectorAll(".keysmith-copy").forEach(function (button) {
    button.addEventListener("click", function () {
      const field = document.getElementById(button.dataset.target);
      field.select();
      const done = function () {
        button.textContent = "Copied";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done);
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
});
