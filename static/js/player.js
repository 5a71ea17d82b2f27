/* Backstage player: lives in the base layout, outside #main, so boosted navigation never
   touches it and the music keeps playing. Queue, keyboard shortcuts, Media Session, and
   waveform seeking on track pages. Stream URLs are short-lived: they are fetched when a track
   starts and fetched again if they expire while paused. */
(() => {
  "use strict";
  const root = document.getElementById("player");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";

  const audio = root.querySelector("audio");
  const el = (sel) => root.querySelector(sel);
  const ui = {
    toggle: el('[data-action="toggle"]'), seek: el(".player-seek"), volume: el(".player-volume"),
    current: el('[data-role="current"]'), duration: el('[data-role="duration"]'),
    title: el(".player-title"), artist: el(".player-artist"), cover: el(".player-cover"),
    queue: el("#player-queue"), queueList: el("#player-queue ol"), queueButton: el('[data-action="queue"]'),
    error: el(".player-error"),
  };
  // `station`: a radio station feeding the queue (see setStation below), or null.
  const state = { queue: [], index: -1, meta: null, seeking: false, retried: false, station: null };
  const beacons = window.playBeacons ? window.playBeacons(audio) : { begin() {} };
  const STORE = "backstage.player";

  const clock = (s) => {
    if (!isFinite(s) || s < 0) s = 0;
    s = Math.floor(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };
  const current = () => state.queue[state.index];
  const duration = () => (isFinite(audio.duration) && audio.duration) || (state.meta && state.meta.duration) || 0;

  function showError(message) {
    ui.error.textContent = message || "";
    ui.error.hidden = !message;
  }

  function save() {
    try {
      sessionStorage.setItem(STORE, JSON.stringify({ queue: state.queue, index: state.index, time: audio.currentTime, volume: audio.volume }));
    } catch (e) { /* private mode: no memory across reloads */ }
  }

  // Where a listener started a track (data-source / data-context on a container), so analytics
  // can tell a playlist play from a search play. `start` marks a real start, not a restore.
  function metaUrl(item, start) {
    const url = new URL(item.src, location.href);
    if (item.source) url.searchParams.set("source", item.source);
    if (item.context) url.searchParams.set("context", item.context);
    if (start) url.searchParams.set("start", "1");
    return url.href;
  }

  async function fetchMeta(item, start) {
    const response = await fetch(metaUrl(item, start), { headers: { Accept: "application/json" }, credentials: "same-origin" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || "This track cannot be played right now.");
    return data;
  }

  function pickSource(sources) {
    return sources.find((s) => audio.canPlayType(s.type)) || sources[sources.length - 1];
  }

  async function load(index, { startAt = 0, autoplay = true } = {}) {
    if (index < 0 || index >= state.queue.length) return;
    state.index = index;
    state.retried = false;
    showError("");
    const item = current();
    root.dataset.state = "loading";
    renderNowPlaying(item);
    try {
      state.meta = await fetchMeta(item, autoplay && !state.retrying);
    } catch (error) {
      showError(error.message);
      root.dataset.state = "error";
      return;
    }
    if (current() !== item) return; // another track was chosen meanwhile
    const source = pickSource(state.meta.sources || []);
    if (!source) { showError("No playable version of this track."); return; }
    if (!state.retrying) beacons.begin(state.meta.play_token); // a retry keeps its token
    audio.src = source.src;
    if (startAt) audio.addEventListener("loadedmetadata", () => { audio.currentTime = startAt; }, { once: true });
    renderNowPlaying(item, state.meta);
    updateMediaSession();
    if (autoplay) {
      audio.play().catch(() => { root.dataset.state = "paused"; });
    }
    save();
  }

  // htmx decides whether to boost a link, and reads its href, when it first processes it, and the
  // player's links start as "#", which it never boosts: a new href gets a freshly processed copy,
  // so following it swaps #main (the music plays on) instead of reloading the page.
  function setLink(name, href) {
    if (ui[name].getAttribute("href") === href) return;
    const link = ui[name].cloneNode(true);
    link.setAttribute("href", href);
    ui[name].replaceWith(link);
    ui[name] = link;
    if (window.htmx && href !== "#") window.htmx.process(link);
  }

  function renderNowPlaying(item, meta) {
    setLink("title", (meta && meta.url) || "#");
    setLink("artist", (meta && meta.artist_url) || "#");
    ui.title.textContent = (meta && meta.title) || item.title || "Loading…";
    ui.artist.textContent = (meta && meta.artist) || item.artist || "";
    ui.artist.hidden = !ui.artist.textContent;
    if (meta && meta.cover) { ui.cover.src = meta.cover; ui.cover.hidden = false; } else { ui.cover.hidden = true; }
    renderQueue();
    markPlayingButtons();
  }

  function renderQueue() {
    ui.queueList.replaceChildren(...state.queue.map((item, i) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = `${item.title} — ${item.artist}`;
      if (i === state.index) { li.setAttribute("aria-current", "true"); }
      button.addEventListener("click", () => load(i));
      li.append(button);
      return li;
    }));
  }

  function markPlayingButtons() {
    const item = current();
    const playing = !audio.paused;
    document.querySelectorAll("[data-play]").forEach((b) => {
      const active = item && b.dataset.play === item.id;
      b.classList.toggle("is-current", !!active);
      b.setAttribute("aria-pressed", active && playing ? "true" : "false");
    });
    ui.toggle.setAttribute("aria-label", playing ? "Pause" : "Play");
  }

  function toggle() {
    if (!current()) {
      const first = document.querySelector("#main [data-play]");
      if (first) startFromButton(first);
      return;
    }
    if (audio.paused) audio.play().catch((e) => showError(e.message)); else audio.pause();
  }
  const next = () => {
    if (state.index + 1 < state.queue.length) load(state.index + 1);
    else if (state.station) moreFromStation();
  };

  // Radio: when the queue runs out, ask the station for its next item ({id, src, title, artist,
  // source, context, startAt}) and play it. Stations report a clear message when they are empty.
  async function moreFromStation() {
    const station = state.station;
    let item = null;
    try {
      item = await station.more();
    } catch (error) {
      showError(error.message);
      return;
    }
    if (state.station !== station || !item) return;
    state.queue.push(item);
    load(state.queue.length - 1, { startAt: item.startAt || 0 });
  }

  // A station takes over the queue until something else is played.
  function setStation(station) {
    state.station = station;
    root.dataset.station = station ? station.label || "radio" : "";
    if (station) { state.queue = []; state.index = -1; moreFromStation(); }
    root.dispatchEvent(new CustomEvent("player:station", { detail: station }));
  }
  const prev = () => {
    if (audio.currentTime > 3 || state.index === 0) { audio.currentTime = 0; return; }
    load(state.index - 1);
  };
  const seekTo = (seconds) => {
    const d = duration();
    if (!d) return;
    audio.currentTime = Math.max(0, Math.min(d - 0.05, seconds));
  };
  const seekBy = (delta) => seekTo(audio.currentTime + delta);

  function itemFromButton(button) {
    const from = button.closest("[data-source]");
    return {
      id: button.dataset.play, src: button.dataset.src, title: button.dataset.title, artist: button.dataset.artist,
      source: from ? from.dataset.source : "direct", context: from ? from.dataset.context || "" : "",
    };
  }

  function startFromButton(button, startAt = 0) {
    if (state.station) setStation(null);
    const list = button.closest("[data-tracklist]");
    const buttons = list ? [...list.querySelectorAll("[data-play]")] : [button];
    const seen = new Set();
    const queue = [];
    buttons.forEach((b) => { if (!seen.has(b.dataset.play)) { seen.add(b.dataset.play); queue.push(itemFromButton(b)); } });
    state.queue = queue;
    load(Math.max(0, queue.findIndex((item) => item.id === button.dataset.play)), { startAt });
  }

  // Play buttons anywhere on the page (present now or swapped in later).
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-play]");
    if (!button) return;
    event.preventDefault();
    if (current() && current().id === button.dataset.play) toggle(); else startFromButton(button);
  });

  // Waveforms: click or press keys to seek; start the track there if it is not playing.
  function waveformSeek(wave, fraction) {
    const id = wave.dataset.track;
    const seconds = fraction * (parseFloat(wave.dataset.duration) || duration());
    if (current() && current().id === id) { seekTo(seconds); if (audio.paused) audio.play(); return; }
    const button = document.querySelector(`[data-play="${CSS.escape(id)}"]`);
    if (button) startFromButton(button, seconds);
  }
  document.addEventListener("click", (event) => {
    const wave = event.target.closest("[data-waveform]");
    if (!wave) return;
    const box = wave.getBoundingClientRect();
    waveformSeek(wave, Math.max(0, Math.min(1, (event.clientX - box.left) / box.width)));
  });

  function paintWaveforms() {
    const item = current();
    const d = duration();
    document.querySelectorAll("[data-waveform]").forEach((wave) => {
      const rect = wave.querySelector(".waveform-played");
      const width = parseFloat(wave.querySelector("svg").viewBox.baseVal.width) || 0;
      const active = item && wave.dataset.track === item.id && d;
      const fraction = active ? audio.currentTime / d : 0;
      if (rect) rect.setAttribute("width", String(fraction * width));
      wave.setAttribute("aria-valuenow", String(Math.round(active ? audio.currentTime : 0)));
      wave.setAttribute("aria-valuetext", clock(active ? audio.currentTime : 0));
    });
  }

  // Controls.
  root.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    if (!action) return;
    ({ toggle, next, prev, queue: () => {
      ui.queue.hidden = !ui.queue.hidden;
      ui.queueButton.setAttribute("aria-expanded", String(!ui.queue.hidden));
    } })[action.dataset.action]();
  });
  ui.seek.addEventListener("input", () => { state.seeking = true; ui.current.textContent = clock(ui.seek.value / 1000 * duration()); });
  ui.seek.addEventListener("change", () => { seekTo(ui.seek.value / 1000 * duration()); state.seeking = false; });
  ui.volume.addEventListener("input", () => { audio.volume = ui.volume.value / 100; audio.muted = false; save(); });

  // Audio element events.
  audio.addEventListener("play", () => { root.dataset.state = "playing"; markPlayingButtons(); });
  audio.addEventListener("pause", () => { root.dataset.state = "paused"; markPlayingButtons(); save(); });
  audio.addEventListener("ended", () => {
    if (state.index + 1 < state.queue.length || state.station) next(); else markPlayingButtons();
  });
  audio.addEventListener("timeupdate", () => {
    const d = duration();
    if (!state.seeking) {
      ui.seek.value = d ? Math.round(audio.currentTime / d * 1000) : 0;
      ui.current.textContent = clock(audio.currentTime);
    }
    ui.duration.textContent = clock(d);
    paintWaveforms();
    if ("mediaSession" in navigator && d && navigator.mediaSession.setPositionState) {
      try { navigator.mediaSession.setPositionState({ duration: d, position: Math.min(audio.currentTime, d), playbackRate: audio.playbackRate }); } catch (e) { /* ignore */ }
    }
  });
  audio.addEventListener("error", () => {
    // Most often an expired stream URL after a long pause: fetch fresh ones once, resume there.
    if (!current() || state.retried) { showError("Playback failed. Press play to try again."); return; }
    state.retried = true;
    state.retrying = true;
    const at = audio.currentTime;
    load(state.index, { startAt: at, autoplay: !audio.paused }).then(() => { state.retried = true; state.retrying = false; });
  });

  // Media Session: lock-screen and hardware media keys.
  function updateMediaSession() {
    if (!("mediaSession" in navigator) || !state.meta) return;
    const meta = state.meta;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: meta.title, artist: meta.artist, album: "Backstage",
      artwork: meta.cover ? [{ src: new URL(meta.cover, location.href).href, sizes: "512x512", type: "image/jpeg" }] : [],
    });
  }
  if ("mediaSession" in navigator) {
    const handlers = {
      play: () => audio.play(), pause: () => audio.pause(), previoustrack: prev, nexttrack: next,
      seekbackward: (d) => seekBy(-(d.seekOffset || 10)), seekforward: (d) => seekBy(d.seekOffset || 10),
      seekto: (d) => seekTo(d.seekTime),
    };
    Object.entries(handlers).forEach(([action, handler]) => {
      try { navigator.mediaSession.setActionHandler(action, handler); } catch (e) { /* unsupported action */ }
    });
  }

  // Keyboard shortcuts, except while typing or when a control handles the key itself.
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
    if (typing) return;
    const onButton = target.closest && target.closest("button, a, summary");
    switch (event.key) {
      case " ":
      case "k":
        if (onButton && event.key === " ") return;
        event.preventDefault(); toggle(); break;
      case "ArrowLeft":
      case "ArrowRight": {
        if (!current()) return;
        event.preventDefault();
        const forward = event.key === "ArrowRight";
        if (event.shiftKey) (forward ? next : prev)(); else seekBy(forward ? 5 : -5);
        break;
      }
      case "ArrowUp":
      case "ArrowDown": {
        if (!current()) return;
        event.preventDefault();
        const step = event.key === "ArrowUp" ? 0.1 : -0.1;
        audio.volume = Math.min(1, Math.max(0, audio.volume + step));
        ui.volume.value = Math.round(audio.volume * 100);
        break;
      }
      case "m":
      case "M":
        audio.muted = !audio.muted; break;
      default:
    }
  });

  // New page content (boosted navigation): mark its play buttons and waveforms.
  document.addEventListener("htmx:load", () => { markPlayingButtons(); paintWaveforms(); });

  // A full reload keeps the queue (paused where it was).
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
    if (saved && saved.queue && saved.queue.length) {
      state.queue = saved.queue;
      audio.volume = saved.volume ?? 0.9;
      ui.volume.value = Math.round(audio.volume * 100);
      load(saved.index, { startAt: saved.time || 0, autoplay: false });
    }
  } catch (e) { /* ignore */ }

  // Play every track of a list in order (or shuffled): "Play all" and "Shuffle" on playlists.
  function playAll(buttons, { shuffle = false } = {}) {
    const seen = new Set();
    const queue = [];
    buttons.forEach((b) => { if (!seen.has(b.dataset.play)) { seen.add(b.dataset.play); queue.push(itemFromButton(b)); } });
    if (!queue.length) return;
    if (state.station) setStation(null);
    if (shuffle) {
      for (let i = queue.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [queue[i], queue[j]] = [queue[j], queue[i]]; }
    }
    state.queue = queue;
    load(0);
  }

  window.backstagePlayer = { audio, load, toggle, next, prev, seekTo, state, playAll, setStation };
})();
