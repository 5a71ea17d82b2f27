/* Play beacons: tell the server how much of a track was really heard, so a play counts only
   after 30 s of playback (the rules: /how-we-count, analytics/counting.py). Shared by the site
   player and the embed player: `const beacons = playBeacons(audio)`, then
   `beacons.begin(playToken)` each time a track starts. Sends start, progress every 10 s of
   playback, pause, seek, end, and skip (another track started before the end). */
window.playBeacons = (audio, url) => {
  "use strict";
  url = url || "/beacon";
  const EVERY = 10, MAX_SEQ = 10000;
  let token = null, seq = 0, playing = false, lastTime = 0, sinceProgress = 0;

  function send(event, position = audio.currentTime) {
    if (!token || seq > MAX_SEQ || !navigator.sendBeacon) return;
    const body = JSON.stringify({
      token, seq: seq++, event,
      position: Math.round(position * 1000) / 1000,
      at: Math.round(performance.now()),
    });
    navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
  }

  audio.addEventListener("play", () => { playing = true; lastTime = audio.currentTime; send("start"); });
  audio.addEventListener("pause", () => { if (playing && !audio.ended) send("pause"); playing = false; });
  // When "seeking" fires the position is already the target: first report where playback was,
  // so the listening before the jump counts.
  audio.addEventListener("seeking", () => {
    if (playing) { send("progress", lastTime); send("seek"); }
    lastTime = audio.currentTime;
  });
  audio.addEventListener("ended", () => { send("end"); token = null; playing = false; });
  audio.addEventListener("timeupdate", () => {
    const step = audio.currentTime - lastTime;
    lastTime = audio.currentTime;
    if (!playing || audio.seeking || step <= 0 || step > 2) return; // only real playback
    sinceProgress += step;
    if (sinceProgress >= EVERY) { sinceProgress = 0; send("progress"); }
  });

  return {
    /** A new track starts with this play token (null: a restore, nothing to report). */
    begin(newToken) {
      if (token && playing) send("skip");
      token = newToken || null;
      seq = 0; playing = false; sinceProgress = 0;
    },
  };
};
