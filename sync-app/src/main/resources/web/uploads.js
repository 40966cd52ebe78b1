'use strict';
// Uploads section of the web page: files dropped or picked here go to a backend through the tus
// endpoint with tus-js-client (vendor/tus-js-client/tus.min.js), one progress bar per file. An
// upload's URL is kept in localStorage under a fingerprint of the file and its target, so after a
// reload picking the same file again continues from the server's offset.
// app.js announces sign-in and sign-out with the events 'syncjobs:ready' and 'syncjobs:signed-out'.
(function () {
  const TOKEN_KEY = 'syncjobs.token';
  const CHOICE_KEY = 'syncjobs.upload-target';
  const ENDPOINT = '/api/v1/tus/';
  // A PATCH carries at most this much (the server takes up to 100 MiB). Each PATCH ends with the
  // server's fsync and a recorded offset, so this is also how much a reload may have to repeat
  // when the server did not notice the broken request.
  const CHUNK_SIZE = 8 * 1024 * 1024;
  const PARALLEL = 3;
  const FINGERPRINT_PREFIX = 'syncjobs|';
  const { $, el, button, bytes } = window.SyncDom;

  const section = $('#uploads');
  const list = $('#upload-list');
  const input = $('#upload-files');
  const drop = $('#upload-drop');
  const backendSelect = $('#upload-backend');
  const folderInput = $('#upload-folder');
  const waiting = [];   // entries queued to start
  let running = 0;
  let enabled = false;

  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  function authHeaders() { return { Authorization: 'Bearer ' + token() }; }

  async function loadBackends() {
    const res = await fetch('/api/v1/storage/backends', { headers: authHeaders() });
    if (!res.ok) { return; }
    const backends = (await res.json()).data;
    const chosen = choice().backend_id;
    backendSelect.replaceChildren();
    for (const b of backends) {
      const o = el('option', b.name + ' (' + b.status + ', ' + bytes(b.free_bytes || 0) + ' free)');
      o.value = b.id;
      o.disabled = b.status !== 'online';
      backendSelect.append(o);
    }
    if (chosen && backends.some((b) => b.id === chosen)) { backendSelect.value = chosen; }
  }

  function choice() {
    try { return JSON.parse(localStorage.getItem(CHOICE_KEY)) || {}; } catch (e) { return {}; }
  }
  function remember() {
    localStorage.setItem(CHOICE_KEY, JSON.stringify(
      { backend_id: backendSelect.value, folder: folderInput.value }));
  }

  async function show() {
    enabled = await window.SyncApi.mayChange();
    section.dataset.mayUpload = String(enabled);
    section.hidden = !enabled;
    if (!enabled) { return; }
    folderInput.value = choice().folder !== undefined ? choice().folder : 'uploads';
    await loadBackends();
    await renderUnfinished();
  }

  document.addEventListener('syncjobs:ready', () => { show(); });
  document.addEventListener('syncjobs:signed-out', () => { enabled = false; section.hidden = true; });
  backendSelect.addEventListener('change', remember);
  folderInput.addEventListener('change', remember);

  // ---- picking files -----------------------------------------------------------------------
  function targetOf(file) {
    const folder = folderInput.value.trim().replace(/^\/+|\/+$/g, '');
    return folder ? folder + '/' + file.name : file.name;
  }

  function addFiles(files) {
    if (!enabled) { return; }
    remember();
    for (const file of files) {
      start(file, backendSelect.value, targetOf(file), null);
    }
  }

  input.addEventListener('change', () => {
    addFiles(Array.from(input.files));
    input.value = '';
  });
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    addFiles(Array.from(ev.dataTransfer.files));
  });

  // ---- one file ----------------------------------------------------------------------------
  function fingerprint(file, backendId, path) {
    return FINGERPRINT_PREFIX + [backendId, path, file.name, file.size, file.lastModified].join('|');
  }

  // The server's problem+json says what was wrong (507 no space, 409 a file at the target, 400
  // naming the field); a network failure has no response.
  function describe(err) {
    const res = err && err.originalResponse;
    if (!res) { return 'connection failed: ' + ((err && err.message) || err); }
    const status = res.getStatus();
    let text = '';
    try {
      const p = JSON.parse(res.getBody());
      text = (p.errors || []).map((fe) => fe.field + ': ' + fe.message).join('; ') || p.detail || p.title;
    } catch (e) {
      text = res.getBody() || '';
    }
    return 'HTTP ' + status + (text ? ': ' + text : '');
  }

  // Retried: a lost connection, a server error other than "no space", a PATCH whose offset was
  // stale (409/423), too many uploads at once (429). Not retried: everything the request itself
  // got wrong.
  function shouldRetry(err) {
    const res = err.originalResponse;
    if (!res) { return true; }
    const status = res.getStatus();
    const method = err.originalRequest ? err.originalRequest.getMethod() : '';
    if (status === 507 || status === 413) { return false; }
    if (status >= 500 || status === 429 || status === 423) { return true; }
    return status === 409 && method === 'PATCH';
  }

  function row(file, backendId, path) {
    const li = el('li', null, 'upload');
    li.dataset.fileName = file.name;
    li.dataset.target = backendId + ':' + path;
    li.dataset.status = 'queued';
    const head = el('div', null, 'upload-head');
    head.append(el('span', file.name, 'upload-name'));
    head.append(el('span', '→ ' + backendId + ':/' + path, 'muted'));
    li.append(head);
    const track = el('div', null, 'progress-track');
    const bar = el('div', null, 'progress-bar');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-label', 'upload of ' + file.name);
    bar.setAttribute('aria-valuenow', '0');
    track.append(bar);
    li.append(track);
    li.append(el('div', 'queued · ' + bytes(file.size), 'progress-text'));
    li.append(el('div', '', 'error upload-error'));
    li.append(el('div', null, 'actions'));
    list.prepend(li);
    return li;
  }

  function setStatus(li, status, text) {
    li.dataset.status = status;
    if (text !== undefined) { $('.progress-text', li).textContent = text; }
  }

  function setProgress(li, sent, total) {
    const percent = total > 0 ? Math.floor((sent / total) * 100) : 100;
    const bar = $('.progress-bar', li);
    bar.style.width = percent + '%';
    bar.setAttribute('aria-valuenow', String(percent));
  }

  function start(file, backendId, path, previous) {
    const li = row(file, backendId, path);
    const entry = { file, li, upload: null, startedAt: 0, startBytes: 0 };
    const upload = new tus.Upload(file, {
      endpoint: ENDPOINT,
      chunkSize: CHUNK_SIZE,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      headers: authHeaders(),
      metadata: { backend_id: backendId, file_path: path, filename: file.name },
      fingerprint: (f) => Promise.resolve(fingerprint(f, backendId, path)),
      removeFingerprintOnSuccess: true,
      onShouldRetry: shouldRetry,
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'HEAD' && res.getStatus() === 200) {
          li.dataset.resumedFrom = res.getHeader('Upload-Offset');
        }
      },
      onProgress: (sent, total) => {
        if (!entry.startedAt) { entry.startedAt = Date.now(); entry.startBytes = sent; }
        entry.sent = sent;
        setProgress(li, sent, total);
        const secs = (Date.now() - entry.startedAt) / 1000;
        const rate = secs > 0.5 ? ' · ' + bytes(Math.round((sent - entry.startBytes) / secs)) + '/s' : '';
        const resumed = li.dataset.resumedFrom ? ' · resumed at ' + bytes(Number(li.dataset.resumedFrom)) : '';
        setStatus(li, 'uploading', bytes(sent) + ' / ' + bytes(total) + rate + resumed);
      },
      onSuccess: () => {
        setProgress(li, file.size, file.size);
        $('.progress-bar', li).classList.add('done');
        setStatus(li, 'done', 'done · ' + bytes(file.size)
          + (li.dataset.resumedFrom ? ' · resumed at ' + bytes(Number(li.dataset.resumedFrom)) : ''));
        $('.actions', li).replaceChildren();
        finished();
        renderUnfinished();
      },
      onError: (err) => {
        $('.upload-error', li).textContent = describe(err);
        setStatus(li, 'failed', 'failed' + (entry.sent ? ' at ' + bytes(entry.sent) + ' / ' + bytes(file.size) : ''));
        actions(entry);
        finished();
        renderUnfinished();
      },
    });
    entry.upload = upload;
    actions(entry);
    const ready = previous
      ? Promise.resolve([previous])
      : upload.findPreviousUploads().catch(() => []);
    ready.then((found) => {
      if (found.length > 0) {
        upload.resumeFromPreviousUpload(found[0]);
        li.dataset.resuming = 'true';
      }
      waiting.push(entry);
      next();
    });
  }

  function next() {
    while (running < PARALLEL && waiting.length > 0) {
      const entry = waiting.shift();
      running++;
      entry.running = true;
      setStatus(entry.li, 'uploading', entry.li.dataset.resuming ? 'resuming…' : 'starting…');
      entry.upload.start();
    }
  }

  function finished() {
    running = Math.max(0, running - 1);
    next();
  }

  function actions(entry) {
    const box = $('.actions', entry.li);
    box.replaceChildren();
    const status = () => entry.li.dataset.status;
    const pause = button('Pause', 'pause secondary', () => {
      if (status() !== 'uploading') { return; }
      entry.upload.abort();
      setStatus(entry.li, 'paused', 'paused at ' + bytes(entry.sent || 0) + ' / ' + bytes(entry.file.size));
      pause.hidden = true;
      resume.hidden = false;
      finished();
    });
    const resume = button('Resume', 'resume secondary', () => {
      $('.upload-error', entry.li).textContent = '';
      pause.hidden = false;
      resume.hidden = true;
      entry.startedAt = 0;
      waiting.push(entry);
      next();
    });
    const failed = status() === 'failed';
    pause.hidden = failed;
    resume.hidden = !failed;
    if (failed) { resume.textContent = 'Retry'; }
    const cancel = button('Cancel', 'cancel danger', () => {
      const wasRunning = status() === 'uploading';
      const at = waiting.indexOf(entry);
      if (at >= 0) { waiting.splice(at, 1); }
      // abort(true) also ends the upload on the server (tus termination) and forgets its URL
      if (failed && !entry.upload.url) {
        entry.li.remove();
        return;
      }
      entry.upload.abort(true).catch(() => {}).then(renderUnfinished);
      setStatus(entry.li, 'cancelled', 'cancelled');
      box.replaceChildren();
      if (wasRunning) { finished(); }
    });
    if (failed && !entry.upload.url) {
      // refused at creation: nothing exists on the server, the row only reports why
      cancel.textContent = 'Dismiss';
      cancel.className = 'dismiss secondary';
    }
    box.append(pause, resume, cancel);
  }

  // ---- uploads left unfinished by an earlier page ------------------------------------------
  // The browser cannot read a file again by itself: the list says which file to pick once more.
  async function renderUnfinished() {
    const box = $('#upload-unfinished');
    const storage = tus.defaultOptions.urlStorage;
    let stored = [];
    try { stored = await storage.findAllUploads(); } catch (e) { stored = []; }
    const active = new Set(Array.from(list.querySelectorAll('li.upload'))
      .filter((li) => ['queued', 'uploading', 'paused'].includes(li.dataset.status))
      .map((li) => li.dataset.target));
    const mine = stored.filter((u) => u.urlStorageKey.startsWith('tus::' + FINGERPRINT_PREFIX)
      && u.metadata && u.metadata.file_path
      && !active.has(u.metadata.backend_id + ':' + u.metadata.file_path));
    box.replaceChildren();
    box.hidden = mine.length === 0;
    if (mine.length === 0) { return; }
    box.append(el('p', 'Unfinished uploads: pick the same file again (here or above, with the same'
      + ' folder) to continue where the server stopped.', 'muted'));
    const ul = el('ul');
    for (const u of mine) {
      const m = u.metadata;
      const li = el('li', null, 'unfinished');
      li.dataset.fileName = m.filename;
      li.append(el('span', m.filename + ' → ' + m.backend_id + ':/' + m.file_path + ' · ' + bytes(u.size) + ' '));
      const stored = el('span', '', 'muted');
      li.append(stored);
      serverOffset(u.uploadUrl).then((offset) => {
        if (offset === null) {
          storage.removeUpload(u.urlStorageKey);
          li.remove();
        } else {
          stored.textContent = bytes(offset) + ' stored ';
        }
      });
      const picker = el('input');
      picker.type = 'file';
      picker.hidden = true;
      picker.addEventListener('change', () => {
        const f = picker.files[0];
        if (!f) { return; }
        if (f.name !== m.filename || f.size !== u.size) {
          li.querySelector('.error').textContent = 'that is not ' + m.filename + ' (' + bytes(u.size) + ')';
          return;
        }
        start(f, m.backend_id, m.file_path, u);
        li.remove();
      });
      li.append(picker);
      li.append(button('Pick file…', 'pick secondary', () => picker.click()));
      li.append(button('Discard', 'discard secondary', async () => {
        try {
          await tus.Upload.terminate(u.uploadUrl, { headers: authHeaders() });
        } catch (e) {
          // gone already (expired or finished): forgetting it is all there is to do
        }
        await storage.removeUpload(u.urlStorageKey);
        renderUnfinished();
      }));
      li.append(el('span', '', 'error'));
      ul.append(li);
    }
    box.append(ul);
  }

  async function serverOffset(url) {
    try {
      const res = await fetch(url, {
        method: 'HEAD', headers: Object.assign({ 'Tus-Resumable': '1.0.0' }, authHeaders()) });
      if (res.status === 404 || res.status === 410) { return null; }
      return Number(res.headers.get('Upload-Offset') || 0);
    } catch (e) {
      return 0;
    }
  }
})();
