// Light or dark: the choice stored in this browser ("light", "dark"), else the system's
// setting, followed live. Loaded in <head> before the page is drawn, so nothing flashes.
(function () {
  "use strict";
  const KEY = "clientele-theme";
  const system = window.matchMedia("(prefers-color-scheme: dark)");

  function stored() {
    try {
      const value = window.localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : "auto";
    } catch (error) {
      return "auto";
    }
  }

  function apply() {
    const choice = stored();
    const theme = choice === "auto" ? (system.matches ? "dark" : "light") : choice;
    document.documentElement.setAttribute("data-bs-theme", theme);
    document.querySelectorAll("[data-theme-choice]").forEach((button) => {
      const current = button.dataset.themeChoice === choice;
      button.setAttribute("aria-pressed", current ? "true" : "false");
      button.classList.toggle("active", current);
    });
  }

  apply();
  system.addEventListener("change", apply);
  document.addEventListener("DOMContentLoaded", apply);
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-theme-choice]");
    if (!button) return;
    try {
      if (button.dataset.themeChoice === "auto") window.localStorage.removeItem(KEY);
      else window.localStorage.setItem(KEY, button.dataset.themeChoice);
    } catch (error) {
      // Storage refused (private mode): the choice lasts for this page only.
    }
    if (button.dataset.themeChoice !== "auto") {
      document.documentElement.setAttribute("data-bs-theme", button.dataset.themeChoice);
    }
    apply();
  });
})();
