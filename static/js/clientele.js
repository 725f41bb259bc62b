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
    input.dataset.chosen = input.value;
    box.querySelector(".autocomplete-options").innerHTML = "";
    input.setAttribute("aria-expanded", "false");
  });
  // A search still waiting for its typing pause when an option was picked would open the
  // list again over the form: a search for exactly what was picked is not sent.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const input = event.detail.elt;
    if (input.matches && input.matches("[data-autocomplete-input]") && input.dataset.chosen === input.value && input.value) {
      event.preventDefault();
    }
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

  // Forms that navigate instead of submitting, and forms that ask before they submit.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.matches("[data-workspace-jump]")) {
      event.preventDefault();
      const slug = form.elements.slug.value.trim().toLowerCase();
      if (slug) {
        window.location = `${window.location.protocol}//${slug}.${window.location.host}/accounts/login/`;
      }
      return;
    }
    if (form.matches("[data-company-switch]")) {
      event.preventDefault();
      window.location = `/portal/c/${encodeURIComponent(form.elements.company.value)}/`;
    }
  });

  document.addEventListener("DOMContentLoaded", () => wirePasswordHints(document));
  document.addEventListener("htmx:afterSwap", (event) => wirePasswordHints(event.target));
})();

// Charts (Chart.js, loaded only on pages that have one): each <canvas data-chart="id"> draws the
// JSON in <script id="id">; the same figures are in a table next to it.
(function () {
  "use strict";
  const palette = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];

  function draw() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (canvas.dataset.drawn) return;
      const source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      const chart = JSON.parse(source.textContent);
      const round = chart.type === "doughnut";
      const datasets = Object.entries(chart.series).map(([label, values], index) => ({
        label,
        data: values.map(Number),
        backgroundColor: round ? palette : palette[index % palette.length],
        borderColor: round ? "#fff" : palette[index % palette.length],
        tension: 0.25,
        fill: false,
      }));
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: chart.type,
        data: { labels: chart.labels, datasets },
        options: {
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: round || datasets.length > 1, position: "bottom" } },
          scales: round ? {} : { y: { beginAtZero: true } },
        },
      });
    });
  }

  // A select in a form marked data-autosubmit submits the form when changed.
  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-autosubmit]");
    if (form) form.requestSubmit();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
