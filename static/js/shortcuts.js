// Keyboard shortcuts: "?" lists them; "g" then a letter goes to a section (the links marked
// data-shortcut="g c" on the page). Nothing happens while the user types in a field.
(function () {
  "use strict";
  let pendingG = null;

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function targets() {
    const seen = new Map();
    document.querySelectorAll("a[data-shortcut]").forEach((link) => {
      if (!seen.has(link.dataset.shortcut)) seen.set(link.dataset.shortcut, link);
    });
    return seen;
  }

  function openDialog() {
    const dialog = document.getElementById("shortcuts-dialog");
    if (!dialog || !window.bootstrap) return;
    const list = dialog.querySelector("[data-shortcuts-list]");
    list.querySelectorAll("[data-generated]").forEach((row) => row.remove());
    targets().forEach((link, keys) => {
      const term = document.createElement("dt");
      term.className = "col-4";
      term.dataset.generated = "1";
      keys.split(" ").forEach((key, index) => {
        if (index) term.append(" then ");
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        term.append(kbd);
      });
      const action = document.createElement("dd");
      action.className = "col-8";
      action.dataset.generated = "1";
      action.textContent = "Go to " + link.textContent.trim();
      list.append(term, action);
    });
    window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-shortcuts-open]")) openDialog();
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector(".modal.show") && event.key !== "Escape") return;
    if (event.key === "?") {
      event.preventDefault();
      openDialog();
      return;
    }
    if (pendingG) {
      window.clearTimeout(pendingG);
      pendingG = null;
      const link = targets().get("g " + event.key.toLowerCase());
      if (link) {
        event.preventDefault();
        window.location.assign(link.href);
      }
      return;
    }
    if (event.key === "g") {
      pendingG = window.setTimeout(() => { pendingG = null; }, 1500);
    }
  });
})();
