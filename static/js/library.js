/* Playlists: play all / shuffle, and drag-and-drop reordering. Every move is sent to the
   server (item + the item it now follows); the list is then replaced by the server's answer,
   so what you see is always the stored order. Keyboard users have "Move up"/"Move down"
   buttons (plain forms, swapped by htmx). Errors go to the page's live region. */
(() => {
  "use strict";

  const live = () => document.getElementById("playlist-live");
  const say = (text) => { const region = live(); if (region) region.textContent = text; };
  const position = (row) => row.querySelector(".track-row-number").textContent.trim(); // across pages

  function bindPlayButtons(scope) {
    scope.querySelectorAll("[data-play-all], [data-shuffle]").forEach((button) => {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      const buttons = () => [...document.querySelectorAll("#playlist-items [data-play]")];
      button.hidden = buttons().length === 0;
      button.addEventListener("click", () => {
        if (window.backstagePlayer) window.backstagePlayer.playAll(buttons(), { shuffle: "shuffle" in button.dataset });
      });
    });
  }

  async function sendMove(container, itemId, afterId) {
    const form = container.querySelector("form");
    const token = form ? form.querySelector("input[name=csrfmiddlewaretoken]").value : "";
    const data = new FormData();
    data.append("item", itemId);
    data.append("after", afterId);
    data.append("page", container.dataset.page || "1");
    let response;
    try {
      response = await fetch(container.dataset.moveUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": token, "HX-Request": "true" },
      });
    } catch (e) {
      say("The move could not be saved: the connection dropped. Reload to see the order.");
      return;
    }
    const html = await response.text();
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("playlist-items");
    if (fresh) {
      container.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
      bindSortable(fresh);
      const moved = fresh.querySelector(`[data-item="${CSS.escape(itemId)}"]`);
      if (response.ok && moved) say(`Moved ${moved.dataset.title} to position ${position(moved)}.`);
    }
    if (!response.ok) {
      const error = fresh && fresh.querySelector("[role=alert]");
      say(error ? error.textContent : `The move failed (${response.status}). Reload to see the order.`);
    }
  }

  function bindSortable(container) {
    const list = container.querySelector("[data-sortable]");
    if (!list || list.dataset.bound) return;
    list.dataset.bound = "1";
    let dragged = null;
    let startIndex = -1;
    list.addEventListener("dragstart", (event) => {
      dragged = event.target.closest("li[data-item]");
      if (!dragged) return;
      startIndex = [...list.children].indexOf(dragged);
      dragged.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.item);
    });
    list.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      const over = event.target.closest("li[data-item]");
      if (!over || over === dragged) return;
      const box = over.getBoundingClientRect();
      const below = event.clientY > box.top + box.height / 2;
      over.parentElement.insertBefore(dragged, below ? over.nextSibling : over);
    });
    list.addEventListener("drop", (event) => { if (dragged) event.preventDefault(); });
    list.addEventListener("dragend", () => {
      if (!dragged) return;
      const item = dragged;
      dragged = null;
      item.classList.remove("dragging");
      const rows = [...list.querySelectorAll("li[data-item]")];
      if (rows.indexOf(item) === startIndex) return;
      const previous = item.previousElementSibling && item.previousElementSibling.closest("li[data-item]");
      const after = previous ? previous.dataset.item : container.dataset.pageAfter || "";
      sendMove(container, item.dataset.item, after);
    });
  }

  // "Add to playlist" and share menus (<details>) close like menus: Escape closes the one
  // holding focus and gives focus back to its button; a click anywhere else (opening another
  // one included) closes an open "Add to playlist" popup, so two never overlap.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || !event.target.closest) return;
    const menu = event.target.closest("details.add-menu[open], details.share-menu[open]");
    if (!menu) return;
    event.preventDefault();
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.add-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  // Keep keyboard focus on the moved track's button after an htmx swap of the list.
  let lastMove = null;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move]");
    const row = button && button.closest("li[data-item]");
    lastMove = row ? { item: row.dataset.item, kind: button.dataset.move } : null;
  });

  document.addEventListener("htmx:load", (event) => {
    const scope = event.detail.elt;
    bindPlayButtons(document);
    const container = scope.id === "playlist-items" ? scope : scope.querySelector && scope.querySelector("#playlist-items");
    if (!container) return;
    bindSortable(container);
    if (lastMove && scope.id === "playlist-items") {
      const row = container.querySelector(`[data-item="${CSS.escape(lastMove.item)}"]`);
      const target = row && (row.querySelector(`[data-move="${lastMove.kind}"]`) || row.querySelector("[data-move]"));
      if (target) target.focus();
      if (row) say(`Moved ${row.dataset.title} to position ${position(row)}.`);
      else if (!container.querySelector("[role=alert]")) say(`Moved to the ${lastMove.kind === "up" ? "previous" : "next"} page.`);
      lastMove = null;
    }
  });
})();
