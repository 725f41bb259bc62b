// Clientele: progressive enhancements. Everything works without JavaScript too.
(function () {
  "use strict";

  const checks = {
    length: (v) => v.length >= 8,
    upper: (v) => /[A-Z]/.test(v),
    lower: (v) => /[a-z]/.test(v),
    digit: (v) => /[0-9]/.test(v),
    special: (v) => /[^A-Za-z0-9]/.test(v),
  };

  function wirePasswordHints(root) {
    root.querySelectorAll("input[data-password-hints]").forEach((input) => {
      const list = input.form && input.form.querySelector("[data-password-hints-list]");
      if (!list || input.dataset.hintsWired) return;
      input.dataset.hintsWired = "1";
      input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "") + " password-hints");
      list.id = "password-hints";
      const update = () => {
        list.querySelectorAll("[data-hint]").forEach((item) => {
          item.classList.toggle("met", checks[item.dataset.hint](input.value));
        });
      };
      input.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", () => wirePasswordHints(document));
  document.addEventListener("htmx:afterSwap", (event) => wirePasswordHints(event.target));
})();
