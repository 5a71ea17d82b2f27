/* Backstage Radio, live: everyone hears the same moment of the same track.

   The page asks /radio/live/now what is on air (and the server's clock); the offset into the
   current track is computed from the server's time, corrected for this device's clock skew:
   skew = server_time + round trip / 2 − local time (the sample with the shortest round trip
   wins). "Tune in" hands a station to the global player (window.backstagePlayer.setStation),
   which lives outside #main, so the radio keeps playing while the listener browses. Each time
   a track ends the player asks `more()`: it tunes in to the slot now on air. While the live
   station plays, seeking, previous and next are off, and the audio is nudged back in step if it
   drifts. Cost per listener: one GET every POLL seconds and one at each track boundary, plus a
   POST (tune) and the track's /play per track. */
(() => {
  "use strict";
  const LABEL = "Backstage Radio";
  const DRIFT = 0.3; // seconds off the shared moment before the audio is nudged back
  const MAX_NUDGES = 3; // per track: a slow network must not seek forever

  // This script sits in the page's #main: on a first load it runs before the (deferred)
  // player, on a boosted navigation long after it.
  function start() {
    if (!window.backstagePlayer) return;
    if (!window.backstageLive) window.backstageLive = createLive();
    window.backstageLive.bind(document.getElementById("live"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  function createLive() {
    const state = {
      root: null, urls: null, poll: 30, csrf: "", skew: 0, rtt: Infinity, body: null,
      tuned: null, nudges: 0, live: false, inFlight: false, pollTimer: null, boundaryTimer: null,
      tick: null,
    };
    const player = () => window.backstagePlayer;
    const serverNow = () => Date.now() + state.skew;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const clock = (s) => {
      s = Math.max(0, Math.floor(s));
      return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    };
    const at = (ms) => new Date(ms - state.skew).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    // Off air: the server says when it is back in UTC; show it in the listener's own time.
    const offAir = (body) => (body.back_at ? body.message.replace(/\d\d:\d\d UTC/, at(body.back_at)) : body.message);
    // Only a listener tuned in and playing (or tuning in) counts in "listening now".
    const listening = () => state.inFlight || (state.live && !player().audio.paused);

    // --- The server's clock and schedule ---------------------------------------------------

    async function fetchNow() {
      const t0 = performance.now();
      const url = listening() ? `${state.urls.now}?listening=1` : state.urls.now;
      const response = await fetch(url, { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("Backstage Radio cannot be reached right now.");
      const body = await response.json();
      const t1 = performance.now();
      const rtt = t1 - t0;
      // A sample taken over a shorter round trip is a better one; a much later one may
      // replace it too (the device's clock may have been set meanwhile).
      if (rtt <= state.rtt || rtt < 250) {
        state.skew = body.server_time + rtt / 2 - Date.now();
        state.rtt = Math.min(rtt, state.rtt);
      }
      state.body = body;
      render();
      scheduleBoundary();
      return body;
    }

    async function tune(slot) {
      const data = new FormData();
      data.append("slot", slot);
      const response = await fetch(state.urls.tune, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": state.csrf, Accept: "application/json" } });
      const item = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(item.error || "This track is not on air any more.");
      return item;
    }

    // The player calls this whenever its queue runs out: join the slot on air now.
    async function more() {
      state.inFlight = true;
      try {
        return await joinNow();
      } finally {
        state.inFlight = false;
      }
    }

    async function joinNow() {
      let body = await fetchNow();
      let current = body.current;
      // At a boundary the audio may end a moment before the slot does: wait for the next one.
      if (current && current.slot === state.tuned && current.ends_at - serverNow() < 2000) {
        await sleep(Math.max(0, current.ends_at - serverNow()) + 250);
        body = await fetchNow();
        current = body.current;
      }
      if (!current) throw new Error(offAir(body) || "Nothing is on air right now.");
      const item = await tune(current.slot);
      state.tuned = item.slot;
      state.nudges = 0;
      item.startAt = Math.max(0, (serverNow() - item.starts_at) / 1000);
      return item;
    }

    // --- Staying in step -------------------------------------------------------------------

    function playingSlot() {
      const p = player();
      const item = p && p.state.queue[p.state.index];
      return item && item.context === `live:${item.slot}` ? item : null;
    }

    function keepInStep() {
      const item = state.live && playingSlot();
      const audio = player().audio;
      if (!item || audio.paused || state.inFlight) return;
      const expected = (serverNow() - item.starts_at) / 1000;
      if (expected > item.duration + 2) { player().next(); return; } // resumed after its slot
      if (state.nudges < MAX_NUDGES && expected >= 0 && Math.abs(audio.currentTime - expected) > DRIFT) {
        state.nudges += 1;
        audio.currentTime = expected;
      }
    }

    // A slot cut short (a takedown), or a boundary the audio missed: join what is on air now.
    // (At an ordinary boundary the track ends by itself and the player asks more().)
    function followSchedule() {
      const item = state.live && playingSlot();
      const current = state.body && state.body.current;
      if (!item || !current || current.slot === item.slot || state.inFlight) return;
      const cut = serverNow() < item.ends_at;
      const overdue = serverNow() > item.ends_at + 2000;
      if (cut || overdue) player().next();
    }

    function setLiveControls(live) {
      state.live = live;
      const root = document.getElementById("player");
      root.querySelectorAll('[data-action="prev"], [data-action="next"], .player-seek').forEach((control) => {
        control.disabled = live;
        if (live) control.setAttribute("title", "Live radio: everyone hears the same moment"); else control.removeAttribute("title");
      });
      if (state.root) {
        const button = state.root.querySelector('[data-action="tune"]');
        button.textContent = live ? "Leave the station" : "Tune in";
        button.setAttribute("aria-pressed", live ? "true" : "false");
      }
      if (live) startPolling();
    }

    function startPolling() {
      clearInterval(state.pollTimer);
      state.pollTimer = setInterval(() => {
        if (!state.live && !(state.root && state.root.isConnected)) { clearInterval(state.pollTimer); return; }
        fetchNow().then(followSchedule).catch(() => {});
      }, state.poll * 1000);
    }

    function scheduleBoundary() {
      clearTimeout(state.boundaryTimer);
      const current = state.body && state.body.current;
      const next = current ? current.ends_at : state.body && state.body.up_next[0] && state.body.up_next[0].starts_at;
      if (!next) return;
      state.boundaryTimer = setTimeout(() => {
        if (state.live || (state.root && state.root.isConnected)) fetchNow().then(followSchedule).catch(() => {});
      }, Math.max(500, next - serverNow() + 400));
    }

    // --- The page ----------------------------------------------------------------------------

    function entry(slot, when) {
      const li = document.createElement("li");
      const title = document.createElement("a");
      title.href = slot.url;
      title.textContent = slot.title;
      const artist = document.createElement("a");
      artist.href = slot.artist_url;
      artist.textContent = slot.artist;
      const time = document.createElement("span");
      time.className = "muted";
      time.textContent = when;
      li.append(title, " — ", artist, " ", time);
      return li;
    }

    function setText(node, text) {
      if (node.textContent !== text) node.textContent = text;
    }

    function render() {
      const root = state.root;
      if (!root || !root.isConnected || !state.body) return;
      const body = state.body;
      const $ = (role) => root.querySelector(`[data-role="${role}"]`);
      const current = body.current;
      const box = $("current");
      if (!current) {
        const empty = document.createElement("p");
        empty.className = "empty";
        empty.textContent = offAir(body);
        box.replaceChildren(empty);
      } else if (box.dataset.slot !== String(current.slot)) {
        const wrap = document.createElement("div");
        wrap.className = "live-track";
        if (current.cover) {
          const img = document.createElement("img");
          img.src = current.cover;
          img.alt = "";
          img.width = img.height = 96;
          wrap.append(img);
        }
        const text = document.createElement("p");
        const title = document.createElement("a");
        title.className = "live-title";
        title.href = current.url;
        title.textContent = current.title;
        const artist = document.createElement("a");
        artist.href = current.artist_url;
        artist.textContent = current.artist;
        text.append(title, document.createElement("br"), "by ", artist);
        wrap.append(text);
        box.replaceChildren(wrap);
        box.dataset.slot = current.slot;
      }
      root.querySelector(".live-progress").hidden = !current;
      $("up-next").replaceChildren(...body.up_next.map((s) => entry(s, at(s.starts_at))));
      $("just-played").replaceChildren(...body.just_played.map((s) => entry(s, at(s.starts_at))));
      $("none-played").hidden = body.just_played.length > 0;
      const n = body.listeners;
      // Live regions: change their text only when it changes, or it is read out at every poll.
      setText($("listeners"), `${n} ${n === 1 ? "person" : "people"} listening now`);
      setText($("status"), current ? "" : offAir(body));
      root.querySelector('[data-action="tune"]').disabled = !current;
      progress();
    }

    function progress() {
      const root = state.root;
      const current = state.body && state.body.current;
      if (!root || !root.isConnected || !current) return;
      const elapsed = Math.min(current.duration, Math.max(0, (serverNow() - current.starts_at) / 1000));
      root.querySelector('[data-role="elapsed"]').textContent = clock(elapsed);
      root.querySelector('[data-role="length"]').textContent = clock(current.duration);
      root.querySelector('[data-role="bar"]').style.width = `${(100 * elapsed) / current.duration}%`;
    }

    function bind(root) {
      if (!root) return;
      state.root = root;
      state.urls = { now: root.dataset.nowUrl, tune: root.dataset.tuneUrl };
      state.poll = Number(root.dataset.pollSeconds) || 30;
      state.csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
      root.querySelector('[data-action="tune"]').addEventListener("click", () => {
        const p = player();
        if (state.live) { p.setStation(null); p.audio.pause(); return; }
        p.setStation({ label: LABEL, more });
      });
      setLiveControls(state.live);
      clearInterval(state.tick);
      state.tick = setInterval(() => { if (root.isConnected) progress(); else clearInterval(state.tick); }, 1000);
      fetchNow().catch((error) => { root.querySelector('[data-role="status"]').textContent = error.message; });
      startPolling();
    }

    // Once per page load: the player tells us when a station starts or stops.
    const playerRoot = document.getElementById("player");
    playerRoot.addEventListener("player:station", (event) => setLiveControls(!!(event.detail && event.detail.label === LABEL)));
    player().audio.addEventListener("playing", keepInStep);
    player().audio.addEventListener("timeupdate", keepInStep);
    player().audio.addEventListener("pause", () => { state.nudges = 0; }); // resuming re-joins the moment
    // Arrow keys seek in the player: not on the live station.
    window.addEventListener("keydown", (event) => {
      if (state.live && ["ArrowLeft", "ArrowRight"].includes(event.key) && !event.target.closest("input, textarea, select, [contenteditable]")) {
        event.stopImmediatePropagation();
        event.preventDefault();
      }
    }, true);

    return { bind, serverNow, state };
  }
})();
