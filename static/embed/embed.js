/* Backstage embed player: a play button, a seek bar and a tracklist, nothing else. Stream URLs
   are short-lived and fetched when a track starts, tagged as an embed play with the embedding
   site's origin. */
(() => {
  "use strict";
  const root = document.querySelector("[data-embed]");
  if (!root) return;
  const $ = (sel) => root.querySelector(sel);
  const audio = $("[data-audio]"), toggle = $("[data-toggle]"), seek = $("[data-seek]");
  const now = $("[data-now]"), time = $("[data-time]"), error = $("[data-error]");
  const items = [...root.querySelectorAll("[data-item]")];
  if (!toggle || !items.length) return;
  const origin = (location.ancestorOrigins && location.ancestorOrigins[0]) || root.dataset.origin || document.referrer;
  let index = 0, loaded = -1, seeking = false, startAt = Number(root.dataset.start) || 0;
  const beacons = window.playBeacons ? window.playBeacons(audio) : { begin() {} };

  const clock = (s) => {
    s = Math.max(0, Math.floor(isFinite(s) ? s : 0));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };
  const duration = () => (isFinite(audio.duration) && audio.duration) || Number(items[index].dataset.duration) || 0;
  const showError = (text) => { error.textContent = text || ""; error.hidden = !text; };

  function render() {
    items.forEach((b, i) => (i === index ? b.setAttribute("aria-current", "true") : b.removeAttribute("aria-current")));
    now.textContent = items[index].dataset.title;
    const playing = !audio.paused;
    root.toggleAttribute("data-playing", playing);
    toggle.setAttribute("aria-label", playing ? "Pause" : "Play");
    time.textContent = `${clock(audio.currentTime)} / ${clock(duration())}`;
    if (!seeking) seek.value = duration() ? Math.round((audio.currentTime / duration()) * 1000) : 0;
  }

  async function start(i) {
    index = i;
    showError("");
    render();
    const url = new URL(items[i].dataset.item, location.href);
    url.searchParams.set("source", "embed");
    if (origin) url.searchParams.set("origin", origin);
    if (root.dataset.context) url.searchParams.set("context", root.dataset.context);
    url.searchParams.set("start", "1");
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.error || "This track cannot be played right now.");
      const source = data.sources.find((s) => audio.canPlayType(s.type)) || data.sources[0];
      if (!source) throw new Error("No playable version of this track.");
      if (index !== i) return;
      beacons.begin(data.play_token);
      audio.src = source.src;
      loaded = i;
      if (startAt) {
        const at = startAt;
        audio.addEventListener("loadedmetadata", () => { audio.currentTime = at; }, { once: true });
        startAt = 0;
      }
      await audio.play();
    } catch (e) {
      if (e.name !== "AbortError") showError(e.message);
    }
    render();
  }

  toggle.addEventListener("click", () => {
    if (loaded !== index) start(index);
    else if (audio.paused) audio.play().catch((e) => showError(e.message));
    else audio.pause();
  });
  items.forEach((b, i) => b.addEventListener("click", () => (i === loaded && !audio.paused ? audio.pause() : start(i))));
  seek.addEventListener("input", () => { seeking = true; time.textContent = `${clock((seek.value / 1000) * duration())} / ${clock(duration())}`; });
  seek.addEventListener("change", () => {
    seeking = false;
    if (loaded === index && duration()) audio.currentTime = (seek.value / 1000) * duration();
    else startAt = (seek.value / 1000) * duration();
  });
  ["play", "pause", "timeupdate", "durationchange"].forEach((t) => audio.addEventListener(t, render));
  audio.addEventListener("ended", () => (index + 1 < items.length ? start(index + 1) : render()));
  audio.addEventListener("error", () => loaded >= 0 && showError("This track stopped loading. Press play to try again."));
  audio.addEventListener("error", () => { loaded = -1; });
  // Two players on one page never sound at once: starting one pauses the others.
  if ("BroadcastChannel" in window) {
    const players = new BroadcastChannel("backstage-embed");
    audio.addEventListener("play", () => players.postMessage("play"));
    players.addEventListener("message", () => audio.pause());
  }
})();
