'use strict';
// syncjobs web page: plain JavaScript over the REST API and the progress WebSocket.
(function () {
  const TOKEN_KEY = 'syncjobs.token';
  const { $, el, button, bytes, when, duration } = window.SyncDom;
  const jobs = new Map();      // job id -> job
  const progress = new Map();  // job id -> last progress message
  let editing = null;          // job id being edited, or null for a new job
  let socket = null;
  let admin = false;           // whether the token may change things; a viewer sees no such control

  // ---- token -------------------------------------------------------------------------------
  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function askToken(message) {
    $('#token-error').textContent = message || '';
    const dlg = $('#token-dialog');
    if (!dlg.open) { dlg.showModal(); }
    $('#token-input').focus();
  }

  $('#token-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = $('#token-input').value.trim();
    if (!value) { return; }
    sessionStorage.setItem(TOKEN_KEY, value);
    const ok = await start();
    if (ok) { $('#token-input').value = ''; $('#token-dialog').close(); }
  });

  $('#forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    if (socket) { socket.close(); }
    document.dispatchEvent(new CustomEvent('syncjobs:signed-out'));
    askToken();
  });

  // ---- API ---------------------------------------------------------------------------------
  // SyncApi (api.js) makes the calls; a refused token is the jobs table's to handle: it asks again.
  const { ApiError } = window.SyncApi;

  async function api(method, path, body) {
    try {
      return await window.SyncApi.send(method, path, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        askToken('That token was not accepted.');
      }
      throw e;
    }
  }

  function showGlobalError(e) { $('#global-error').textContent = e ? String(e.message || e) : ''; }

  // ---- jobs table --------------------------------------------------------------------------
  let timed = false;  // whether the first table's User Timing measures were taken (the benchmark reads them)

  async function loadJobs() {
    const t0 = performance.now();
    const res = await api('GET', '/storage/sync-jobs');
    const t1 = performance.now();
    jobs.clear();
    res.data.forEach((j) => jobs.set(j.id, j));
    const done = renderJobs();
    if (!timed) {
      timed = true;
      performance.measure('syncjobs:jobs-fetch', { start: t0, end: t1 });
      performance.measure('syncjobs:jobs-first-rows', { start: t1, end: performance.now() });
      // the frame after next: the first one's rows are painted by then
      requestAnimationFrame(() => requestAnimationFrame(() => {
        performance.measure('syncjobs:jobs-painted', { start: t1, end: performance.now() });
      }));
      done.then(() => requestAnimationFrame(() => requestAnimationFrame(() => {
        performance.measure('syncjobs:jobs-all-painted', { start: t1, end: performance.now() });
      })));
    }
    await done;
  }

  // One row per job, kept by id: a reload rebuilds only the rows whose job changed (and moves
  // none that kept their place), so 1,000 jobs cost one pass of comparisons, not 1,000 new rows.
  const rows = new Map();  // job id -> { tr, key, bar, text, status, run, cancel, shown }

  function rowKey(j) { return JSON.stringify(j) + (admin ? '|admin' : ''); }

  // The rows are reconciled in slices of about 30 ms, one per animation frame, so the first
  // screenful is painted at once and a long list never holds the page for its whole length.
  let renderPass = 0;

  function renderJobs() {
    const body = $('#jobs tbody');
    $('#no-jobs').hidden = jobs.size > 0;
    for (const [id, r] of rows) {
      if (!jobs.has(id)) { r.tr.remove(); rows.delete(id); }
    }
    const pass = ++renderPass;
    const list = [...jobs.values()];
    let i = 0;
    let next = body.firstElementChild;
    return new Promise((resolve) => {
      const slice = () => {
        if (pass !== renderPass) { resolve(false); return; }
        const until = performance.now() + 30;
        for (; i < list.length && (i % 20 !== 0 || performance.now() < until); i++) {
          const j = list[i];
          const key = rowKey(j);
          let r = rows.get(j.id);
          if (!r || r.key !== key) {
            const fresh = buildRow(j, key);
            if (r) { r.tr.replaceWith(fresh.tr); if (next === r.tr) { next = fresh.tr; } }
            rows.set(j.id, fresh);
            r = fresh;
          }
          if (r.tr === next) {
            next = next.nextElementSibling;
          } else {
            body.insertBefore(r.tr, next);
          }
        }
        if (i < list.length) { requestAnimationFrame(slice); return; }
        applyFilters();
        resolve(true);
      };
      slice();
    });
  }

  function buildRow(j, key) {
    const tr = el('tr');
    tr.setAttribute('role', 'row');
    tr.dataset.jobId = j.id;
    tr.dataset.jobName = j.name;
    const name = el('td', null, 'name');
    const link = el('a', j.name, 'job-link');
    link.href = '#/jobs/' + j.id;
    name.append(link);
    tr.append(name);
    tr.append(el('td', j.source_url + ' → ' + j.destination_backend_id + ':/' + j.destination_path, 'where'));
    tr.append(el('td', ScheduleText.describe(j), 'schedule'));
    tr.append(enabledCell(j));
    const status = el('td', '', 'status');
    tr.append(status);
    tr.append(nextRunCell(j));
    tr.append(lastResultCell(j));
    const cell = el('td', null, 'progress');
    const bar = progressBar(j, null);
    cell.append(bar);
    tr.append(cell);
    const actions = el('td', null, 'actions');
    let run = null, cancel = null;
    if (admin) {
      run = button('Run now', 'run', () => act(() => api('POST', '/storage/sync-jobs/' + j.id + '/run')));
      cancel = button('Cancel', 'cancel secondary', () => act(() => api('POST', '/storage/sync-jobs/' + j.id + '/cancel')));
      actions.append(run, cancel);
      actions.append(button('Edit', 'edit secondary', () => openEditor(j)));
      actions.append(button('Delete', 'delete danger', () => {
        if (confirm('Delete job ' + j.name + '? Its synced files stay on disk.')) {
          act(() => api('DELETE', '/storage/sync-jobs/' + j.id));
        }
      }));
    }
    tr.append(actions);
    for (const td of tr.children) { td.setAttribute('role', 'cell'); }
    const r = { tr, key, status, run, cancel, bar: bar.querySelector('.progress-bar'),
      text: bar.querySelector('.progress-text'), shown: null };
    tr.hidden = !matches(j);
    showState(r, j, progress.get(j.id));
    showProgress(r, j, progress.get(j.id));
    return r;
  }

  // ---- filters -----------------------------------------------------------------------------
  const filterStatus = $('#filter-status');
  const filterBackend = $('#filter-backend');

  function lastResult(j) {
    if (!j.last_run_at) { return 'never'; }
    if (!j.last_error) { return 'ok'; }
    return j.last_error === 'cancelled' ? 'cancelled' : 'failed';
  }

  // "running now" follows the live progress (a retry waiting for its turn is not running); the
  // last result is that of the last finished run.
  function runningNow(j) {
    const p = progress.get(j.id);
    return p && p.run_id ? p.status === 'running' : j.status === 'running';
  }

  function matches(j) {
    const backend = filterBackend.value;
    if (backend && j.destination_backend_id !== backend) { return false; }
    const status = filterStatus.value;
    if (!status) { return true; }
    const running = runningNow(j);
    if (status === 'running') { return running; }
    return !running && lastResult(j) === status;
  }

  function applyFilters() {
    let shown = 0;
    for (const [id, r] of rows) {
      const j = jobs.get(id);
      const show = !!(j && matches(j));
      if (r.tr.hidden === show) { r.tr.hidden = !show; }
      if (show) { shown++; }
    }
    showCount(shown);
  }

  function showCount(shown) {
    const filtered = filterStatus.value || filterBackend.value;
    $('#jobs-count').textContent = filtered ? shown + ' of ' + jobs.size + ' jobs' : jobs.size + ' jobs';
    $('#no-match').hidden = !(filtered && shown === 0 && jobs.size > 0);
  }

  filterStatus.addEventListener('change', applyFilters);
  filterBackend.addEventListener('change', applyFilters);

  function isRunning(j, p) {
    if (p && p.run_id) { return p.status === 'running' || p.status === 'pending'; }
    return j.status === 'running';
  }

  // Status text and which of Run / Cancel the row offers follow the job's state; only what
  // changed is written.
  function showState(r, j, p) {
    const running = isRunning(j, p);
    const status = running ? (p && p.run_id ? p.status : 'running') : (j.status === 'running' ? 'idle' : j.status);
    if (r.shown !== status) {
      r.shown = status;
      r.status.textContent = status;
      r.status.className = 'status status-' + status;
    }
    if (r.run && r.run.hidden !== running) { r.run.hidden = running; }
    if (r.cancel && r.cancel.hidden === running) { r.cancel.hidden = !running; }
  }

  function enabledCell(j) {
    const td = el('td', null, 'enabled');
    if (!admin) { td.textContent = j.enabled ? 'on' : 'off'; return td; }
    const label = el('label', null, 'switch');
    const box = el('input');
    box.type = 'checkbox';
    box.setAttribute('role', 'switch');
    box.checked = !!j.enabled;
    box.setAttribute('aria-label', 'enabled: ' + j.name);
    box.addEventListener('change', () => {
      box.disabled = true;
      act(() => api('PATCH', '/storage/sync-jobs/' + j.id, { enabled: box.checked }))
        .finally(() => { box.disabled = false; box.checked = !!(jobs.get(j.id) || j).enabled; });
    });
    label.append(box, el('span', null, 'slider'));
    td.append(label);
    return td;
  }

  function lastResultCell(j) {
    const td = el('td', null, 'last-result');
    if (!j.last_run_at) { td.textContent = '—'; return td; }
    const at = el('span', ScheduleText.relative(j.last_run_at), 'ago');
    at.dataset.at = j.last_run_at;
    if (j.status === 'running') { td.append('started ', at); return td; }
    const failed = !!j.last_error;
    const text = !failed ? 'ok' : (j.last_error === 'cancelled' ? 'cancelled' : 'failed');
    td.append(el('span', text, 'status status-' + (failed ? text : 'success')), ' ', at);
    td.title = (failed ? j.last_error + ' · ' : '') + ScheduleText.absolute(j.last_run_at, j.timezone);
    return td;
  }

  function nextRunCell(j) {
    const td = el('td', null, 'next-run');
    if (!j.enabled) { td.textContent = 'disabled'; td.classList.add('muted'); return td; }
    if (!j.next_run_at) { td.textContent = '—'; return td; }
    const t = el('time', ScheduleText.relative(j.next_run_at), 'ago');
    t.dataset.at = j.next_run_at;
    t.dateTime = j.next_run_at;
    t.title = ScheduleText.absolute(j.next_run_at, j.timezone);
    td.append(t);
    return td;
  }

  // Progress messages only mark their job; once per animation frame the marked rows are updated
  // in place (many runs reporting at once cost one frame's work, not one layout per message).
  const dirty = new Set();
  let frame = 0;

  function markDirty(id) {
    dirty.add(id);
    if (!frame) { frame = requestAnimationFrame(flushDirty); }
  }

  function flushDirty() {
    frame = 0;
    let unknown = false;
    for (const id of dirty) {
      const r = rows.get(id);
      const j = jobs.get(id);
      if (!r || !j) { unknown = true; continue; }
      const p = progress.get(id);
      showState(r, j, p);
      showProgress(r, j, p);
    }
    dirty.clear();
    if (filterStatus.value) { applyFilters(); }
    if (unknown) { reloadSoon(); }
  }

  function showProgress(r, j, p) {
    const percent = p ? Math.round(p.progress_percent || 0) : 0;
    const width = percent + '%';
    if (r.bar.style.width !== width) {
      r.bar.style.width = width;
      r.bar.setAttribute('aria-valuenow', String(percent));
    }
    r.bar.classList.toggle('done', !!(p && p.status === 'success'));
    const t = progressText(p, percent);
    if (r.text.textContent !== t) { r.text.textContent = t; }
  }

  function progressBar(j, p) {
    const wrap = el('div');
    const track = el('div', null, 'progress-track');
    const bar = el('div', null, 'progress-bar');
    bar.dataset.jobName = j.name;
    bar.setAttribute('role', 'progressbar');
    const percent = p ? Math.round(p.progress_percent || 0) : 0;
    bar.style.width = percent + '%';
    bar.setAttribute('aria-valuenow', String(percent));
    bar.setAttribute('aria-label', 'progress: ' + j.name);
    if (p && p.status === 'success') { bar.classList.add('done'); }
    track.append(bar);
    wrap.append(track);
    wrap.append(el('div', progressText(p, percent), 'progress-text'));
    return wrap;
  }

  function progressText(p, percent) {
    if (!p || !p.run_id) { return ''; }
    let t = percent + '% · ' + p.status + ' · ' + p.files_synced + '/' + p.files_total + ' files · '
      + bytes(p.bytes_transferred) + '/' + bytes(p.bytes_total);
    if (p.status === 'running') {
      t += ' · ' + bytes(p.bytes_per_second) + '/s';
      if (p.eta_seconds !== null) { t += ' · ETA ' + duration(p.eta_seconds); }
      if (p.current_file) { t += ' · ' + p.current_file; }
    }
    if (p.error) { t += ' · ' + p.error; }
    return t;
  }

  // Reloads the list once for any number of reasons arriving together (50 runs ending at once
  // make one request, not 50), at most one request at a time.
  let reloading = null;
  let reloadAgain = false;

  function reloadSoon() {
    if (reloading) { reloadAgain = true; return reloading; }
    reloading = new Promise((resolve) => setTimeout(resolve, 250))
      .then(() => loadJobs())
      .catch(showGlobalError)
      .finally(() => {
        reloading = null;
        if (reloadAgain) { reloadAgain = false; reloadSoon(); }
      });
    return reloading;
  }

  async function act(fn) {
    showGlobalError(null);
    try {
      await fn();
      await loadJobs();
    } catch (e) {
      showGlobalError(e);
    }
  }

  // ---- live progress -----------------------------------------------------------------------
  function connect() {
    if (socket && socket.readyState <= 1) { return; }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(scheme + '//' + location.host + '/api/v1/ws/sync?access_token='
      + encodeURIComponent(token()));
    socket.onopen = () => { $('#connection').textContent = 'live'; };
    socket.onclose = () => {
      $('#connection').textContent = 'reconnecting…';
      if (token()) { setTimeout(connect, 2000); }
    };
    socket.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      document.dispatchEvent(new CustomEvent('syncjobs:progress', { detail: m }));
      const previous = progress.get(m.job_id);
      progress.set(m.job_id, m);
      const final = ['success', 'failed', 'cancelled'].includes(m.status);
      const changed = !previous || previous.status !== m.status || previous.run_id !== m.run_id;
      if ((final && changed && previous) || !jobs.has(m.job_id)) { reloadSoon(); }
      markDirty(m.job_id);
    };
  }

  // ---- editor ------------------------------------------------------------------------------
  const form = $('#job-form');
  const TEXT = ['name', 'source_url', 'destination_path', 'include_pattern', 'exclude_pattern',
    'schedule_time', 'cron_expression', 'timezone', 'ca_bundle'];
  const NUMBERS = ['schedule_day', 'keep_versions', 'max_delete_percent', 'bandwidth_limit', 'max_retries'];
  const CHECKS = ['enabled', 'verify_checksums', 'compare_checksums', 'delete_removed'];
  const SCHEDULE_FIELDS = {
    schedule_day: ['weekly', 'monthly'],
    schedule_time: ['daily', 'weekly', 'monthly'],
    cron_expression: ['cron'],
  };

  async function loadBackends() {
    const res = await api('GET', '/storage/backends');
    const select = form.elements.destination_backend_id;
    select.replaceChildren();
    const chosen = filterBackend.value;
    filterBackend.replaceChildren(el('option', 'any'));
    filterBackend.firstChild.value = '';
    for (const b of res.data) {
      const o = el('option', b.name + ' (' + b.status + ', ' + bytes(b.free_bytes) + ' free)');
      o.value = b.id;
      select.append(o);
      const f = el('option', b.name);
      f.value = b.id;
      filterBackend.append(f);
    }
    filterBackend.value = res.data.some((b) => b.id === chosen) ? chosen : '';
  }

  function clearErrors() {
    form.querySelectorAll('.error[data-field]').forEach((e) => { e.textContent = ''; });
    form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
    $('#form-error').textContent = '';
  }

  function openEditor(job) {
    editing = job ? job.id : null;
    clearErrors();
    form.reset();
    $('#editor-title').textContent = job ? 'Edit ' + job.name : 'New job';
    const authSelect = form.elements.auth_type;
    authSelect.querySelector('option[value="keep"]').hidden = !(job && job.source_auth);
    if (job) {
      TEXT.forEach((f) => { form.elements[f].value = job[f] === null ? '' : job[f]; });
      NUMBERS.forEach((f) => { form.elements[f].value = job[f] === null ? '' : job[f]; });
      CHECKS.forEach((f) => { form.elements[f].checked = !!job[f]; });
      form.elements.schedule.value = job.schedule;
      form.elements.misfire_policy.value = job.misfire_policy;
      form.elements.destination_backend_id.value = job.destination_backend_id;
      form.elements.filters.value = (job.filters || []).join('\n');
      authSelect.value = job.source_auth ? 'keep' : '';
      form.elements.auth_username.value = job.source_auth ? (job.source_auth.username || '') : '';
    }
    $('#editor').hidden = false;
    form.elements.name.focus();
  }

  function formBody() {
    const body = {};
    TEXT.forEach((f) => {
      const v = form.elements[f].value.trim();
      if (v !== '') { body[f] = v; } else if (editing && f !== 'name' && f !== 'source_url'
        && f !== 'destination_path' && f !== 'timezone') { body[f] = null; }
    });
    NUMBERS.forEach((f) => {
      const raw = form.elements[f].value.trim();
      if (raw === '') {
        if (f === 'bandwidth_limit' || f === 'schedule_day') { body[f] = null; }
        return;
      }
      const n = Number(raw);
      body[f] = Number.isFinite(n) ? n : raw;
    });
    CHECKS.forEach((f) => { body[f] = form.elements[f].checked; });
    body.schedule = form.elements.schedule.value;
    // the server refuses a schedule field the chosen schedule does not use
    Object.entries(SCHEDULE_FIELDS).forEach(([f, kinds]) => {
      if (!kinds.includes(body.schedule)) {
        if (editing) { body[f] = null; } else { delete body[f]; }
      }
    });
    body.misfire_policy = form.elements.misfire_policy.value;
    body.destination_backend_id = form.elements.destination_backend_id.value;
    body.filters = form.elements.filters.value.split('\n').map((s) => s.trim()).filter((s) => s);
    const type = form.elements.auth_type.value;
    if (type === '') {
      if (editing) { body.source_auth = null; }
    } else if (type !== 'keep') {
      const secret = form.elements.auth_secret.value;
      const auth = { type, username: form.elements.auth_username.value.trim() || null };
      const knownHosts = form.elements.auth_known_hosts.value.trim();
      if (type === 'ssh' && knownHosts) { auth.known_hosts = knownHosts; }
      if (type === 'bearer') { auth.token = secret; } else if (type === 'ssh') { auth.private_key = secret; } else { auth.password = secret; }
      body.source_auth = auth;
    }
    return body;
  }

  function fieldSlot(field) {
    let slot = form.querySelector('.error[data-field="' + CSS.escape(field) + '"]');
    if (!slot && field.startsWith('source_auth.')) {
      const known = ['source_auth.username', 'source_auth.known_hosts'];
      slot = form.querySelector('.error[data-field="' + (known.includes(field) ? field : 'source_auth.secret') + '"]');
    }
    return slot;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    try {
      const body = formBody();
      if (editing) {
        await api('PATCH', '/storage/sync-jobs/' + editing, body);
      } else {
        await api('POST', '/storage/sync-jobs', body);
      }
      $('#editor').hidden = true;
      editing = null;
      await loadJobs();
    } catch (e) {
      const errors = (e.problem && e.problem.errors) || [];
      let placed = 0;
      for (const fe of errors) {
        const slot = fieldSlot(fe.field);
        if (slot) {
          slot.textContent = (slot.textContent ? slot.textContent + '; ' : '') + fe.message;
          const input = form.elements[fe.field];
          if (input && input.classList) { input.classList.add('invalid'); }
          placed++;
        }
      }
      if (placed < errors.length || errors.length === 0) { $('#form-error').textContent = e.message; }
    }
  });
  $('#new-job').addEventListener('click', () => openEditor(null));
  $('#job-cancel-edit').addEventListener('click', () => { $('#editor').hidden = true; editing = null; });

  // ---- role -------------------------------------------------------------------------------
  const mayChange = window.SyncApi.mayChange;

  // ---- start -------------------------------------------------------------------------------
  async function start() {
    if (!token()) { askToken(); return false; }
    try {
      admin = await mayChange();
      $('#new-job').hidden = !admin;
      if (!admin) { $('#editor').hidden = true; }
      await loadBackends();
      await loadJobs();
      connect();
      document.dispatchEvent(new CustomEvent('syncjobs:ready'));
      return true;
    } catch (e) {
      if (e.status !== 401) { showGlobalError(e); }
      return false;
    }
  }
  // What the job page (job-page.js) uses of this file; it hears progress as 'syncjobs:progress'.
  window.SyncApp = {
    api, isAdmin: () => admin, edit: openEditor, progressBar, progress: (id) => progress.get(id),
  };
  start();
  // "in 3 min" and "5 min ago" move on between reloads without rebuilding the rows.
  function refreshTimes() {
    const now = Date.now();
    for (const e of document.querySelectorAll('#jobs .ago')) {
      const t = ScheduleText.relative(e.dataset.at, now);
      if (e.textContent !== t) { e.textContent = t; }
    }
  }
  setInterval(refreshTimes, 20000);
  setInterval(() => { if (token()) { reloadSoon(); } }, 30000);
})();
