// Boxes that scroll sideways (tables, tab rows, sub-menus, the invoice document on a phone):
// while their content is wider than they are, they say so with a fade on the side that has
// more (classes more-left / more-right) and, if nothing inside can take focus, they become a
// focusable, named region so a keyboard can scroll them. Everything works without JavaScript
// too: the boxes still scroll.
(function () {
  "use strict";
  const SELECTOR = ".table-responsive, .scroll-row, .scroll-region, .card-body:has(> .invoice-doc)";

  function regionName(box) {
    if (box.dataset.scrollLabel) return box.dataset.scrollLabel;
    const caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    const labelled = box.closest("[aria-label], [aria-labelledby]");
    if (labelled) {
      const ids = labelled.getAttribute("aria-labelledby");
      const named = ids && document.getElementById(ids.split(" ")[0]);
      const text = named ? named.textContent : labelled.getAttribute("aria-label");
      if (text && text.trim()) return text.trim();
    }
    const heading = document.querySelector("main h1");
    return heading ? heading.textContent.trim().replace(/\s+/g, " ") : "Table";
  }

  function update(box) {
    const room = box.scrollWidth - box.clientWidth;
    const wide = room > 1;
    box.classList.toggle("is-scrollable", wide);
    box.classList.toggle("more-left", wide && box.scrollLeft > 1);
    box.classList.toggle("more-right", wide && box.scrollLeft < room - 1);
    const focusable = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (wide && !focusable && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", `${regionName(box)} (scrolls sideways)`);
      box.dataset.madeFocusable = "1";
    } else if (!wide && box.dataset.madeFocusable) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      delete box.dataset.madeFocusable;
    }
  }

  const resized = new ResizeObserver((entries) => entries.forEach((entry) => update(entry.target)));

  function wire(root) {
    const boxes = [...root.querySelectorAll(SELECTOR)];
    if (root.matches && root.matches(SELECTOR)) boxes.push(root);
    boxes.forEach((box) => {
      if (box.dataset.scrollWired) return update(box);
      box.dataset.scrollWired = "1";
      box.addEventListener("scroll", () => update(box), { passive: true });
      resized.observe(box);
      const table = box.querySelector("table");
      if (table) resized.observe(table);
      update(box);
      // A tab row opens with its current tab in view.
      const current = box.querySelector('[aria-current="page"]');
      if (current && box.classList.contains("scroll-row")) {
        const offset = current.getBoundingClientRect().left - box.getBoundingClientRect().left;
        box.scrollLeft = Math.max(0, box.scrollLeft + offset - box.clientWidth / 3);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => wire(document));
  } else {
    wire(document);
  }
  document.addEventListener("htmx:afterSettle", (event) => wire(event.target));
})();
