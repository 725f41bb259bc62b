// The top bar's global search: "/" focuses it from anywhere (or opens the search page on a
// phone, where the box is an icon), results drop down as you type (htmx), Escape or a click
// elsewhere closes them, and the arrow keys move through them.
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const input = document.getElementById("global-search-q");
    const visible = input && input.offsetParent !== null;
    if (visible) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    const link = document.querySelector("[data-global-search-link]");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  function dropdown(form) { return form.querySelector("[data-global-search-dropdown]"); }

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id !== "global-search-results" && !event.target.closest?.("[data-global-search]")) return;
    const form = document.querySelector("[data-global-search]");
    const results = document.getElementById("global-search-results");
    const box = form && dropdown(form);
    if (box) box.classList.toggle("show", Boolean(results && results.textContent.trim()));
  });

  document.addEventListener("keydown", (event) => {
    const form = event.target.closest && event.target.closest("[data-global-search]");
    if (!form) return;
    const box = dropdown(form);
    const links = Array.from(box.querySelectorAll("a"));
    const at = links.indexOf(document.activeElement);
    if (event.key === "Escape") {
      box.classList.remove("show");
      form.querySelector("input").focus();
    } else if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      box.classList.add("show");
      links[Math.min(at + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && links.length) {
      event.preventDefault();
      if (at <= 0) form.querySelector("input").focus(); else links[at - 1].focus();
    }
  });

  document.addEventListener("click", (event) => {
    document.querySelectorAll("[data-global-search]").forEach((form) => {
      if (!form.contains(event.target)) dropdown(form).classList.remove("show");
    });
  });
})();
