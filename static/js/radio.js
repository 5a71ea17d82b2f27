/* Radio, the listener's side: starting personal stations (the global player plays them through
   backstagePlayer.setStation), the radio panel beside the player (like, dislike with a reason,
   skip, a comment at this moment), and timed comments on track pages (the "at" field follows
   the music, markers and times seek). The panel lives outside #main, so it survives navigation. */
(() => {
  "use strict";
  const panel = document.getElementById("radio-panel");
  if (!panel || panel.dataset.ready) return;
  panel.dataset.ready = "1";

  const player = () => window.backstagePlayer;
  const audio = document.getElementById("player-audio");
  const $ = (sel) => panel.querySelector(sel);
  const status = $('[data-role="status"]');
  const reasons = $("#radio-reasons");
  const commentForm = $("#radio-comment");
  const commentButton = $('[data-role="comment"]');
  const dislikeButton = $('[data-feedback="dislike"]');
  const likeButton = $('[data-feedback="like"]');

  const clock = (s) => {
    s = Math.max(0, Math.floor(s || 0));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };

  // CSRF: from a form on the page, else the cookie; pages cached for anonymous visitors carry
  // neither, so then the start form's GET page (which sets the cookie) provides one.
  let token = "";
  function tokenFrom(root) {
    const input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  async function csrf(fallbackUrl) {
    const found = tokenFrom(document) || (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || token;
    if (found || !fallbackUrl) return found;
    const html = await (await fetch(fallbackUrl, { credentials: "same-origin" })).text();
    token = tokenFrom(new DOMParser().parseFromString(html, "text/html"));
    return token;
  }

  async function post(url, fields, fallbackUrl) {
    const body = new FormData();
    Object.entries(fields).forEach(([k, v]) => { if (v !== undefined && v !== null) body.append(k, v); });
    const response = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": await csrf(fallbackUrl), Accept: "application/json" },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.error || `The server answered ${response.status}. Please try again.`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function say(message, { page = true } = {}) {
    status.textContent = message || "";
    const onPage = document.getElementById("radio-home-status");
    if (page && onPage) onPage.textContent = message || "";
  }

  // --- Stations -------------------------------------------------------------------------------

  function tune({ label, next }) {
    say(`Tuning in to ${label}…`);
    let started = false;
    player().setStation({
      label,
      more: async () => {
        try {
          const item = await post(next, {});
          if (!started) {
            started = true;
            say(`Playing ${label}: like, dislike or skip in the radio bar at the bottom.`);
            status.textContent = "";
          }
          return { ...item, station: label };
        } catch (error) {
          say(error.message);
          throw error;
        }
      },
    });
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-radio-start]");
    if (!form || !player()) return;
    event.preventDefault();
    event.stopPropagation();
    const data = new FormData(form, event.submitter);
    const fields = Object.fromEntries([...data.entries()].filter(([k]) => k !== "csrfmiddlewaretoken"));
    const start = new URL(form.action, location.href);
    if (form.method.toLowerCase() === "get") start.search = new URLSearchParams(fields).toString();
    const button = event.submitter || form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const station = await post(start.pathname, fields, start.href);
      tune(station);
    } catch (error) {
      say(error.message);
    } finally {
      if (button) button.disabled = false;
    }
  }, true);

  // The station page's own button (hidden for browsers without JavaScript, which list plays).
  document.addEventListener("htmx:load", () => {
    document.querySelectorAll("[data-radio-tune][hidden]").forEach((b) => { b.hidden = false; });
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-radio-tune]");
    if (!button || !player()) return;
    const page = button.closest("[data-station]");
    tune({ label: page.dataset.label, next: page.dataset.next });
  });

  // --- The panel ------------------------------------------------------------------------------

  const playing = () => {
    const state = player() && player().state;
    return state ? state.queue[state.index] : null;
  };
  let shownPlay = null;

  function showPanel() {
    const item = playing();
    const radio = item && item.play && item.feedback;
    panel.hidden = !radio;
    document.body.classList.toggle("has-radio-panel", !!radio);
    if (!radio || shownPlay === item.play) return;
    shownPlay = item.play;
    const station = player().state.station;
    $('[data-role="station"]').textContent = item.station || (station && station.label) || "Radio";
    [likeButton, dislikeButton].forEach((b) => b.setAttribute("aria-pressed", "false"));
    closeReasons();
    commentForm.hidden = true;
    commentButton.hidden = !item.comment;
    commentButton.setAttribute("aria-expanded", "false");
  }
  audio.addEventListener("loadstart", showPanel);
  audio.addEventListener("play", showPanel);
  document.getElementById("player").addEventListener("player:station", () => { shownPlay = null; showPanel(); });

  function closeReasons() {
    reasons.hidden = true;
    dislikeButton.setAttribute("aria-expanded", "false");
  }

  async function feedback(kind, reason = "") {
    const item = playing();
    if (!item || !item.feedback) return;
    try {
      const answer = await post(item.feedback, { kind, reason, at_seconds: audio.currentTime.toFixed(2) });
      if (kind !== "skip") {
        likeButton.setAttribute("aria-pressed", String(kind === "like"));
        dislikeButton.setAttribute("aria-pressed", String(kind === "dislike"));
      }
      say(answer.message, { page: false });
      return true;
    } catch (error) {
      say(error.message, { page: false });
      return false;
    }
  }

  const skipToNext = () => { if (player().state.station) player().next(); };

  panel.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button || button.type === "submit") return;
    if (button.dataset.feedback === "like") feedback("like");
    else if (button.dataset.feedback === "dislike") {
      reasons.hidden = !reasons.hidden;
      button.setAttribute("aria-expanded", String(!reasons.hidden));
      if (!reasons.hidden) reasons.querySelector("button").focus();
    } else if (button.dataset.reason !== undefined) {
      closeReasons();
      dislikeButton.focus();
      if (await feedback("dislike", button.dataset.reason)) skipToNext();
    } else if (button.dataset.feedback === "skip") {
      if (await feedback("skip")) skipToNext();
    } else if (button === commentButton) {
      commentForm.hidden = !commentForm.hidden;
      button.setAttribute("aria-expanded", String(!commentForm.hidden));
      if (!commentForm.hidden) {
        commentForm.elements.at.value = clock(audio.currentTime);
        commentForm.elements.body.focus();
      }
    }
  });

  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = playing();
    if (!item || !item.comment) return;
    try {
      await post(item.comment, { at: commentForm.elements.at.value, body: commentForm.elements.body.value, play: item.play });
      commentForm.elements.body.value = "";
      commentForm.hidden = true;
      commentButton.setAttribute("aria-expanded", "false");
      say(`Comment posted at ${commentForm.elements.at.value}: it shows on the track's page.`, { page: false });
    } catch (error) {
      say(error.message, { page: false });
    }
  });

  // L likes, D opens the dislike reasons (only while a radio track plays, never while typing).
  document.addEventListener("keydown", (event) => {
    if (panel.hidden || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    if (key === "l") { event.preventDefault(); feedback("like"); }
    if (key === "d") { event.preventDefault(); dislikeButton.click(); }
  });

  // --- Timed comments on track pages ---------------------------------------------------------

  // The form's "at" follows the music while this page's track plays, until the listener edits it.
  audio.addEventListener("timeupdate", () => {
    const section = document.getElementById("timed-comments");
    const item = playing();
    if (!section || !item || item.id !== section.dataset.track) return;
    const at = section.querySelector("#comment-at");
    if (at && !at.dataset.edited && document.activeElement !== at) at.value = clock(audio.currentTime);
  });
  document.addEventListener("input", (event) => {
    if (event.target.id === "comment-at") event.target.dataset.edited = "1";
  });

  // A marker or a comment's time seeks there when the track is playing.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#timed-comments [data-seek]");
    if (!link) return;
    const section = link.closest("#timed-comments");
    const item = playing();
    if (item && item.id === section.dataset.track) {
      event.preventDefault();
      player().seekTo(parseFloat(link.dataset.seek));
    }
  });
})();
