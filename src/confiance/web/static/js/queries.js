/* The query editor (/brands/{id}/queries): htmx swaps the preview and the error block as the
   query is typed, but cannot touch the textarea being typed in; this keeps its aria-invalid
   in step with the error block. Without JavaScript the server sets it. */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function () {
    var box = document.getElementById("query");
    if (!box) {
      return;
    }
    if (document.getElementById("query-error")) {
      box.setAttribute("aria-invalid", "true");
    } else {
      box.removeAttribute("aria-invalid");
    }
  });
}());
