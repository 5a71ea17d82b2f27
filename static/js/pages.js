/* Behaviour for pages inside #main, bound on every htmx:load (first load and boosted swaps):
   the uploader (per-file progress bars) and keyboard-friendly track reordering. */
(() => {
  "use strict";

  const csrfToken = (scope) => {
    const input = scope.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
  const formatSize = (bytes) => {
    const units = ["bytes", "KB", "MB", "GB"];
    let i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return `${i ? bytes.toFixed(1) : bytes} ${units[i]}`;
  };

  async function postForm(url, data, token) {
    const response = await fetch(url, { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `The server answered ${response.status}. Please try again.`);
    return body;
  }

  /* Sends one file to wherever start_upload said (S3 presigned POST or our own view). */
  function sendFile(target, file, token, onProgress) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      Object.entries(target.fields || {}).forEach(([k, v]) => data.append(k, v));
      data.append("file", file); // S3 wants the file last
      const xhr = new XMLHttpRequest();
      xhr.open("POST", target.url);
      if (!target.direct) { xhr.setRequestHeader("X-CSRFToken", token); xhr.withCredentials = true; }
      xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) return resolve();
        let message = `Upload failed (${xhr.status}).`;
        try { message = JSON.parse(xhr.responseText).error || message; } catch (e) {
          if (xhr.status === 413 || /EntityTooLarge/.test(xhr.responseText)) message = "This file is over the size limit.";
        }
        reject(new Error(message));
      });
      xhr.addEventListener("error", () => reject(new Error("The connection dropped. Check your network and try again.")));
      xhr.send(data);
    });
  }

  function initUploader(section) {
    const form = section.querySelector("#upload-form");
    const input = form.querySelector("input[name=files]");
    const list = section.querySelector("[data-upload-list]");
    const done = section.querySelector("[data-upload-done]");
    const formError = form.querySelector("[data-form-error]");
    const submit = form.querySelector("[data-submit]");
    const releaseFields = form.querySelector(".release-fields");
    const maxBytes = parseInt(section.dataset.maxBytes, 10);
    const accepted = section.dataset.accept.split(",");
    const token = csrfToken(form);
    const mode = () => form.querySelector("input[name=mode]:checked").value;

    const problem = (file) => {
      const dot = file.name.lastIndexOf(".");
      const ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
      if (!accepted.includes(ext)) return `Not an audio file we accept (${ext || "no extension"}).`;
      if (file.size === 0) return "This file is empty (0 bytes).";
      if (file.size > maxBytes) return `Too large: ${formatSize(file.size)}; the limit is ${formatSize(maxBytes)}.`;
      return null;
    };

    const files = () => {
      const chosen = [...input.files];
      return mode() === "release" ? chosen.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true })) : chosen;
    };

    function row(file) {
      const li = document.createElement("li");
      li.className = "upload-item";
      li.innerHTML = '<span class="upload-name"></span> <span class="upload-size muted"></span>' +
        '<progress max="100" value="0"></progress><span class="upload-state" role="status"></span>';
      li.querySelector(".upload-name").textContent = file.name;
      li.querySelector(".upload-size").textContent = formatSize(file.size);
      li.querySelector("progress").setAttribute("aria-label", `Upload progress of ${file.name}`);
      return li;
    }
    const setState = (li, text, kind) => {
      const state = li.querySelector(".upload-state");
      state.textContent = text;
      li.dataset.state = kind;
    };

    function preview() {
      list.replaceChildren(...files().map((file) => {
        const li = row(file);
        const issue = problem(file);
        setState(li, issue || "Ready to upload", issue ? "error" : "waiting");
        return li;
      }));
      done.hidden = true;
    }

    form.addEventListener("change", (event) => {
      if (event.target.name === "mode") releaseFields.hidden = mode() !== "release";
      if (event.target === input || event.target.name === "mode") preview();
    });

    const dropzone = form.querySelector("[data-dropzone]");
    ["dragenter", "dragover"].forEach((type) => dropzone.addEventListener(type, (e) => { e.preventDefault(); dropzone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((type) => dropzone.addEventListener(type, () => dropzone.classList.remove("over")));
    dropzone.addEventListener("drop", (e) => {
      e.preventDefault();
      input.files = e.dataTransfer.files;
      preview();
    });

    async function uploadOne(file, li, release, position) {
      const issue = problem(file);
      if (issue) { setState(li, issue, "error"); return null; }
      const progress = li.querySelector("progress");
      try {
        setState(li, "Starting…", "uploading");
        const start = new FormData();
        start.append("filename", file.name);
        start.append("size", String(file.size));
        if (release) { start.append("release", release); start.append("position", String(position)); }
        const target = await postForm(section.dataset.startUrl, start, token);
        await sendFile(target, file, token, (fraction) => {
          progress.value = Math.round(fraction * 100);
          setState(li, `Uploading… ${progress.value}%`, "uploading");
        });
        progress.value = 100;
        setState(li, "Checking and processing…", "processing");
        const complete = new FormData();
        complete.append("visibility", form.querySelector("[name=visibility]").value);
        const track = await postForm(target.complete, complete, token);
        const label = track.status === "ready" ? "Ready" : track.status === "failed" ? "Could not be processed" : "Processing";
        li.querySelector(".upload-state").innerHTML = "";
        const link = document.createElement("a");
        link.href = track.url;
        link.textContent = `${label} — open “${track.title}”`;
        li.querySelector(".upload-state").append(link);
        li.dataset.state = track.status === "failed" ? "error" : "done";
        return track;
      } catch (error) {
        setState(li, error.message, "error");
        return null;
      }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      formError.hidden = true;
      const chosen = files();
      if (!chosen.length) { formError.textContent = "Choose at least one audio file."; formError.hidden = false; return; }
      preview();
      submit.disabled = true;
      let release = null;
      let releaseUrl = null;
      if (mode() === "release") {
        const data = new FormData();
        releaseFields.querySelectorAll("input, select, textarea").forEach((field) => {
          if (field.type === "file") { if (field.files[0]) data.append(field.name, field.files[0]); }
          else if ((field.type !== "radio" && field.type !== "checkbox") || field.checked) data.append(field.name, field.value);
        });
        data.set("release-visibility", form.querySelector("[name=visibility]").value);
        try {
          const created = await postForm(section.dataset.releaseUrl, data, token);
          release = created.release;
          releaseUrl = created.url;
        } catch (error) {
          formError.textContent = error.message;
          formError.hidden = false;
          submit.disabled = false;
          return;
        }
      }
      const rows = [...list.children];
      const results = [];
      for (let i = 0; i < chosen.length; i++) results.push(await uploadOne(chosen[i], rows[i], release, i + 1));
      const ok = results.filter(Boolean).length;
      done.replaceChildren(`${ok} of ${chosen.length} file${chosen.length === 1 ? "" : "s"} uploaded. `);
      const next = document.createElement("a");
      next.href = releaseUrl || (ok === 1 ? results.find(Boolean).url : "/studio/");
      next.textContent = releaseUrl ? "Open the release" : ok === 1 ? "Open the track" : "Go to your studio";
      if (ok) done.append(next);
      done.hidden = false;
      submit.disabled = false;
      input.value = "";
    });
  }

  /* Release track order: move buttons, keyboard-friendly; writes the hidden "order" field. */
  function initReorder(listEl) {
    const hidden = listEl.closest("form").querySelector("input[name=order]");
    const write = () => { hidden.value = [...listEl.children].map((li) => li.dataset.id).join(","); };
    listEl.addEventListener("click", (event) => {
      const button = event.target.closest("[data-move]");
      if (!button) return;
      const li = button.closest("li");
      if (button.dataset.move === "up" && li.previousElementSibling) li.previousElementSibling.before(li);
      if (button.dataset.move === "down" && li.nextElementSibling) li.nextElementSibling.after(li);
      button.focus();
      write();
    });
  }

  function bind(root) {
    root.querySelectorAll("[data-uploader]").forEach((el) => { if (!el.dataset.bound) { el.dataset.bound = "1"; initUploader(el); } });
    root.querySelectorAll("[data-reorder]").forEach((el) => { if (!el.dataset.bound) { el.dataset.bound = "1"; initReorder(el); } });
  }
  document.addEventListener("htmx:load", (event) => bind(event.target));
  if (document.readyState !== "loading") bind(document); else document.addEventListener("DOMContentLoaded", () => bind(document));
})();
