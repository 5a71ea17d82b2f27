/* The header's search box as an ARIA combobox: htmx fills the listbox as you type (see
   templates/search/_header_box.html); this file opens and closes it and moves the active option
   with the arrow keys, Enter following it. Without JavaScript the form submits to /search. */
(() => {
  "use strict";

  const input = () => document.getElementById("site-search");
  const listbox = () => document.getElementById("site-search-results");
  const options = () => Array.from(listbox().querySelectorAll("[role=option]"));

  function setOpen(open) {
    const box = listbox();
    if (!box) return;
    box.hidden = !open;
    input().setAttribute("aria-expanded", String(open));
    if (!open) activate(-1);
  }

  function activate(index) {
    const all = options();
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0 && all[index]) {
      input().setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input().removeAttribute("aria-activedescendant");
    }
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "site-search-results") {
      setOpen(options().length > 0 && input().value.trim() !== "");
      activate(-1);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (!event.target || event.target.id !== "site-search") return;
    const all = options();
    const open = !listbox().hidden && all.length > 0;
    const current = all.findIndex((option) => option.getAttribute("aria-selected") === "true");
    if (event.key === "Escape") {
      if (open) { setOpen(false); event.preventDefault(); }
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      if (!open) setOpen(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(current < 0 ? (step > 0 ? 0 : all.length - 1) : (current + step + all.length) % all.length);
    } else if (event.key === "Enter" && open && current >= 0) {
      event.preventDefault();
      const chosen = all[current];
      setOpen(false);
      chosen.click();
    }
  });

  // Close when focus or a click goes elsewhere; a click on an option still follows its link.
  document.addEventListener("focusin", (event) => {
    const form = input() && input().closest("form");
    if (form && !form.contains(event.target)) setOpen(false);
  });
  document.addEventListener("click", (event) => {
    const form = input() && input().closest("form");
    if (form && !form.contains(event.target)) setOpen(false);
  });
})();
