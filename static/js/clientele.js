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

  // Key → value rows (custom attributes): add and remove rows.
  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const rows = add.closest("[data-key-value]").querySelector(".key-value-rows");
      const row = rows.querySelector(".key-value-row").cloneNode(true);
      row.querySelectorAll("input").forEach((input) => { input.value = ""; });
      rows.appendChild(row);
      row.querySelector("input").focus();
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const rows = remove.closest(".key-value-rows");
      const row = remove.closest(".key-value-row");
      if (rows.querySelectorAll(".key-value-row").length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("input").forEach((input) => { input.value = ""; });
      }
    }
  });

  // Autocomplete select: options come from the server (htmx); picking one fills the hidden id.
  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-autocomplete-option]");
    const clear = event.target.closest("[data-autocomplete-clear]");
    const box = (option || clear) && (option || clear).closest("[data-autocomplete]");
    if (!box) {
      document.querySelectorAll(".autocomplete-options").forEach((list) => { list.innerHTML = ""; });
      return;
    }
    const input = box.querySelector("[data-autocomplete-input]");
    const hidden = box.querySelector("[data-autocomplete-value]");
    hidden.value = option ? option.dataset.value : "";
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
    input.value = option ? option.dataset.label : "";
    box.querySelector(".autocomplete-options").innerHTML = "";
    input.setAttribute("aria-expanded", "false");
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.classList.contains("autocomplete-options")) {
      const input = event.target.closest("[data-autocomplete]").querySelector("[data-autocomplete-input]");
      input.setAttribute("aria-expanded", event.target.children.length ? "true" : "false");
    }
  });

  // Bulk actions: show the field the chosen action needs, select all, count the selection.
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("[data-bulk-action]")) {
      target.form.querySelectorAll("[data-bulk-field]").forEach((field) => {
        field.hidden = field.dataset.bulkField !== target.value;
      });
    }
    if (target.matches("[data-select-all]")) {
      target.form.querySelectorAll(`input[name="${target.dataset.selectAll}"]`).forEach((box) => {
        box.checked = target.checked;
      });
    }
    if (target.form && target.form.querySelector("[data-selected-count]")) {
      const count = target.form.querySelectorAll('input[name="asset_ids"]:checked').length;
      target.form.querySelector("[data-selected-count]").textContent = count;
    }
  });

  document.addEventListener("DOMContentLoaded", () => wirePasswordHints(document));
  document.addEventListener("htmx:afterSwap", (event) => wirePasswordHints(event.target));
})();
