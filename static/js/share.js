/* Share menus ({% share_menu %}): copy buttons and the live embed-code builder. Delegated on
   the document, so menus swapped in by htmx work without rebinding. */
(() => {
  "use strict";
  const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
  const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]); // as Django escapes

  function embedCode(menu) {
    const option = (name) => menu.querySelector(`[data-embed-option="${name}"]`);
    const size = option("size").value, theme = option("theme").value;
    const start = option("t") ? Math.max(0, Math.floor(Number(option("t").value) || 0)) : 0;
    const url = new URL(menu.dataset.embedUrl);
    if (theme !== "light") url.searchParams.set("theme", theme);
    if (size !== "standard") url.searchParams.set("size", size);
    if (start) url.searchParams.set("t", start);
    const height = JSON.parse(menu.dataset.heights)[size];
    return `<iframe src="${escape(url.href)}" width="560" height="${height}" title="${escape(menu.dataset.title)}" loading="lazy" allow="autoplay" style="border:0;border-radius:12px;max-width:100%"></iframe>`;
  }

  document.addEventListener("input", (event) => {
    const menu = event.target.closest("[data-share]");
    if (menu && event.target.matches("[data-embed-option]")) menu.querySelector("[data-embed-code]").value = embedCode(menu);
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-share] [data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    const status = button.closest("[data-share]").querySelector("[data-share-status]");
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (e) {
      document.execCommand("copy"); // older browsers, or clipboard permission refused
    }
    status.textContent = button.textContent.replace("Copy", "Copied") + ".";
  });
})();
