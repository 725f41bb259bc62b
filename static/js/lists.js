// A console list's tools (templates/components/list_tools.html): row selection and the bulk
// bar, the column chooser's order, and forms that carry the list's current filters.
(() => {
  const bulkForm = () => document.getElementById("list-bulk");
  const rowBoxes = () => document.querySelectorAll('input[name="ids"][form="list-bulk"]');
  const resultCount = () => {
    const holder = document.querySelector("[data-result-count]");
    return holder ? Number(holder.dataset.resultCount) : 0;
  };

  function updateSelection() {
    const form = bulkForm();
    if (!form) return;
    const boxes = Array.from(rowBoxes());
    const checked = boxes.filter((box) => box.checked).length;
    const scope = form.querySelector("[data-select-scope]");
    const summary = form.querySelector("[data-selected-summary]");
    const matching = form.querySelector("[data-select-matching]");
    const all = resultCount();
    const allOnPage = boxes.length > 0 && checked === boxes.length;
    if (!allOnPage) scope.value = "page";
    if (scope.value === "all") {
      summary.textContent = `All ${all.toLocaleString()} matching rows selected`;
      matching.hidden = true;
    } else {
      summary.textContent = checked ? `${checked} selected` : "No rows selected";
      matching.hidden = !(allOnPage && all > boxes.length);
      matching.textContent = `Select all ${all.toLocaleString()} matching rows`;
    }
    form.classList.toggle("has-selection", checked > 0);
    const header = document.querySelector('input[data-select-all="ids"]');
    if (header) {
      header.checked = allOnPage;
      header.indeterminate = checked > 0 && !allOnPage;
    }
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches('input[data-select-all="ids"]')) {
      rowBoxes().forEach((box) => { box.checked = target.checked; });
      updateSelection();
    } else if (target.matches('input[name="ids"][form="list-bulk"]')) {
      updateSelection();
    } else if (target.matches("[data-list-bulk-action]")) {
      target.form.querySelectorAll("[data-list-bulk-value]").forEach((holder) => {
        const active = holder.dataset.listBulkValue === target.value;
        holder.hidden = !active;
        holder.querySelector("select").disabled = !active;
      });
    }
  });

  document.addEventListener("click", (event) => {
    const matching = event.target.closest("[data-select-matching]");
    if (matching) {
      matching.form.querySelector("[data-select-scope]").value = "all";
      updateSelection();
      return;
    }
    const move = event.target.closest("[data-column-move]");
    if (move) {
      const item = move.closest("[data-column]");
      if (move.dataset.columnMove === "up" && item.previousElementSibling) {
        item.parentNode.insertBefore(item, item.previousElementSibling);
      } else if (move.dataset.columnMove === "down" && item.nextElementSibling) {
        item.parentNode.insertBefore(item.nextElementSibling, item);
      }
      move.focus();
    }
  });

  // The list's filters change in place (htmx pushes the address): a form that keeps or acts
  // on them reads them when it is sent, and comes back to the list as it is.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("[data-list-query]")) return;
    const query = form.querySelector('input[name="query"]');
    if (query) query.value = window.location.search.replace(/^\?/, "");
    const next = form.querySelector("[data-list-next]");
    if (next) next.value = window.location.pathname + window.location.search;
    if (form.id === "list-bulk") {
      const scope = form.querySelector("[data-select-scope]").value;
      const checked = Array.from(rowBoxes()).filter((box) => box.checked).length;
      if (scope !== "all" && !checked) {
        event.preventDefault();
        form.querySelector("[data-selected-summary]").textContent = "Select rows first";
      }
    }
  }, true);

  document.addEventListener("htmx:afterSwap", updateSelection);
  document.addEventListener("DOMContentLoaded", updateSelection);
})();
