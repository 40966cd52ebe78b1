'use strict';
// A job's page at #/jobs/<id>: its settings in words, Run/Cancel/Edit, live progress, a chart of
// the last 50 runs (uPlot, from its WebJar, loaded on first use), the runs page by page, the run
// log (tailed while the run goes on) and the versions. It uses app.js's API client
// (window.SyncApp) and hears the progress WebSocket through app.js's 'syncjobs:progress' events.
(function () {
  const PAGE = 10;            // runs per page
  const CHART_RUNS = 50;      // runs in the chart (the API's limit is 100)
  const TAIL_MS = 1000;       // how often a running run's log is fetched again
  const FINAL = ['success', 'failed', 'cancelled', 'skipped'];
  const { $, el, button, bytes, when, duration } = window.SyncDom;
  const app = window.SyncApp;

  const section = $('#job-page');
  let jobId = null;           // the job shown, or null when the page is closed
  let job = null;
  let offset = 0;             // of the runs page shown
  let total = 0;
  let tail = null;            // { runId, live, timer } of the log shown
  let chart = null;
  let lastProgress = null;
  let uplotLoading = null;

  const path = (rest) => '/storage/sync-jobs/' + jobId + (rest || '');

  function showError(e) { $('#job-page-error').textContent = e ? String(e.message || e) : ''; }

  // ---- route -------------------------------------------------------------------------------
  function route() {
    const m = /^#\/jobs\/([0-9a-fA-F-]{36})$/.exec(location.hash);
    if (m) { open(m[1]); } else { close(); }
  }

  function open(id) {
    if (jobId !== id) {
      close();
      jobId = id;
      offset = 0;
      lastProgress = app.progress(id) || null;
      $('#job-page-title').textContent = '';
      $('#job-progress').replaceChildren();
    }
    document.body.classList.add('route-job');
    section.hidden = false;
    const title = $('#job-page-title');
    title.tabIndex = -1;
    load().then(() => title.focus({ preventScroll: true }));
  }

  function close() {
    stopTail();
    if (chart) { chart.destroy(); chart = null; }
    jobId = null;
    job = null;
    section.hidden = true;
    document.body.classList.remove('route-job');
  }

  // ---- loading -----------------------------------------------------------------------------
  async function load() {
    const id = jobId;
    showError(null);
    try {
      const [j, page, versions, recent] = await Promise.all([
        app.api('GET', path()),
        app.api('GET', path('/history?limit=' + PAGE + '&offset=' + offset)),
        app.api('GET', path('/versions')),
        app.api('GET', path('/history?limit=' + CHART_RUNS + '&offset=0'))]);
      if (id !== jobId) { return; }
      job = j.data;
      total = page.total;
      renderSummary();
      if (lastProgress) { $('#job-progress').replaceChildren(app.progressBar(job, lastProgress)); }
      renderRuns(page.data);
      renderVersions(versions.data);
      await renderChart(recent.data);
      const active = recent.data.find((r) => r.status === 'running' || r.status === 'pending');
      if (active && (!tail || tail.runId !== active.id)) { showLog(active, true); }
    } catch (e) {
      if (id === jobId) { showError(e.status === 404 ? 'There is no such job (deleted?).' : e); }
    }
  }

  async function loadRuns() {
    try {
      const page = await app.api('GET', path('/history?limit=' + PAGE + '&offset=' + offset));
      total = page.total;
      renderRuns(page.data);
    } catch (e) { showError(e); }
  }

  // ---- summary and controls ----------------------------------------------------------------
  function running() {
    if (lastProgress && lastProgress.run_id) {
      return lastProgress.status === 'running' || lastProgress.status === 'pending';
    }
    return job.status === 'running';
  }

  function renderSummary() {
    $('#job-page-title').textContent = job.name;
    const dl = $('#job-summary');
    dl.replaceChildren();
    const item = (label, value, title) => {
      const dd = el('dd', value);
      if (title) { dd.title = title; }
      dl.append(el('dt', label), dd);
    };
    item('Source', job.source_url);
    item('Destination', (job.destination_backend_name || job.destination_backend_id) + ':/' + job.destination_path);
    item('Schedule', ScheduleText.describe(job) + (job.enabled ? '' : ' (disabled)'));
    item('Next run', job.enabled && job.next_run_at ? ScheduleText.relative(job.next_run_at) : '—',
      job.next_run_at ? ScheduleText.absolute(job.next_run_at, job.timezone) : null);
    item('Status', job.status);
    item('Last error', job.last_error || '—');
    const avg = job.average_duration_seconds;
    const avgText = avg === null || avg === undefined ? '—'
      : (avg < 10 ? avg.toFixed(1) + ' s' : duration(avg));
    item('Average duration', avgText, 'of the last successful runs among the newest 20');
    dl.lastElementChild.id = 'job-average-duration';
    item('Versions kept', job.keep_versions === 0 ? 'all' : String(job.keep_versions));
    renderControls();
  }

  function renderControls() {
    const box = $('#job-controls');
    box.replaceChildren();
    if (!app.isAdmin()) { return; }
    const act = (fn) => async () => {
      showError(null);
      try { await fn(); await load(); } catch (e) { showError(e); }
    };
    const run = button('Run now', 'run', act(() => app.api('POST', path('/run'))));
    run.id = 'job-run';
    const cancel = button('Cancel', 'cancel secondary', act(() => app.api('POST', path('/cancel'))));
    cancel.id = 'job-cancel';
    const edit = button('Edit', 'edit secondary', () => {
      const j = job;
      location.hash = '#/';
      app.edit(j);
    });
    edit.id = 'job-edit';
    run.hidden = running();
    cancel.hidden = !running();
    box.append(run, cancel, edit);
  }

  // ---- runs --------------------------------------------------------------------------------
  function runSeconds(r) {
    return r.started_at && r.completed_at ? (new Date(r.completed_at) - new Date(r.started_at)) / 1000 : null;
  }

  function renderRuns(runs) {
    const body = $('#history tbody');
    body.replaceChildren();
    for (const r of runs) {
      const tr = el('tr');
      tr.dataset.runId = r.id;
      tr.dataset.status = r.status;
      tr.append(el('td', when(r.started_at || r.created_at)));
      tr.append(el('td', r.trigger));
      tr.append(el('td', r.status, 'status status-' + r.status));
      tr.append(el('td', r.files_synced + ' / ' + r.files_total
        + (r.files_skipped ? ' (' + r.files_skipped + ' skipped)' : '')));
      tr.append(el('td', bytes(r.bytes_transferred) + ' / ' + bytes(r.bytes_total)));
      tr.append(el('td', duration(runSeconds(r))));
      tr.append(el('td', r.version || ''));
      tr.append(el('td', r.error || '', 'error'));
      const a = el('td');
      const live = r.status === 'running' || r.status === 'pending';
      const b = button(live ? 'Live log' : 'Log', 'log secondary', () => showLog(r, live));
      b.setAttribute('aria-label', 'log of the run started ' + when(r.started_at || r.created_at));
      a.append(b);
      tr.append(a);
      body.append(tr);
    }
    const from = total === 0 ? 0 : offset + 1;
    $('#runs-range').textContent = total === 0 ? 'no runs yet'
      : 'runs ' + from + '–' + (offset + runs.length) + ' of ' + total;
    $('#runs-newer').disabled = offset === 0;
    $('#runs-older').disabled = offset + PAGE >= total;
  }

  $('#runs-newer').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); loadRuns(); });
  $('#runs-older').addEventListener('click', () => { offset += PAGE; loadRuns(); });

  // ---- log ---------------------------------------------------------------------------------
  function stopTail() {
    if (tail && tail.timer) { clearTimeout(tail.timer); }
    tail = null;
  }

  function showLog(r, live) {
    stopTail();
    tail = { runId: r.id, live, timer: null };
    const title = $('#log-title');
    title.textContent = 'Log of the run started ' + when(r.started_at || r.created_at) + (live ? ' (live)' : '');
    title.hidden = false;
    const pre = $('#log');
    pre.textContent = '';
    pre.hidden = false;
    pre.dataset.runId = r.id;
    fetchLog(tail);
  }

  async function fetchLog(t) {
    t.timer = null;
    try {
      const text = await app.api('GET', path('/runs/' + t.runId + '/log'));
      if (tail !== t) { return; }
      const pre = $('#log');
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
      const shown = text || (t.live ? '(nothing logged yet)' : '(empty)');
      if (pre.textContent !== shown) {
        pre.textContent = shown;
        if (atBottom || t.live) { pre.scrollTop = pre.scrollHeight; }
      }
      pre.dataset.live = String(t.live);
    } catch (e) {
      if (tail === t) { showError(e); }
    }
    if (tail === t && t.live) { t.timer = setTimeout(() => fetchLog(t), TAIL_MS); }
  }

  // The run ended: fetch its log once more now and once after the log writer's last batch.
  function endTail(runId) {
    if (!tail || tail.runId !== runId || !tail.live) { return; }
    const t = tail;
    if (t.timer) { clearTimeout(t.timer); }
    t.live = false;
    $('#log-title').textContent = $('#log-title').textContent.replace(' (live)', '');
    fetchLog(t);
    setTimeout(() => { if (tail === t) { fetchLog(t); } }, 1500);
  }

  // ---- versions ----------------------------------------------------------------------------
  function renderVersions(versions) {
    const body = $('#versions tbody');
    body.replaceChildren();
    for (const v of versions) {
      const tr = el('tr');
      if (v.current) { tr.classList.add('current'); }
      tr.append(el('td', v.name));
      tr.append(el('td', when(v.created_at)));
      tr.append(el('td', String(v.files)));
      tr.append(el('td', bytes(v.bytes)));
      tr.append(el('td', v.current ? 'current' : '', v.current ? 'badge' : ''));
      body.append(tr);
    }
    if (versions.length === 0) {
      const tr = el('tr');
      const td = el('td', 'No version published yet.', 'muted');
      td.colSpan = 5;
      tr.append(td);
      body.append(tr);
    }
  }

  // ---- chart -------------------------------------------------------------------------------
  function loadUPlot() {
    if (window.uPlot) { return Promise.resolve(window.uPlot); }
    if (!uplotLoading) {
      uplotLoading = new Promise((resolve, reject) => {
        const css = el('link');
        css.rel = 'stylesheet';
        css.href = window.SyncWebjars.uplot + 'uPlot.min.css';
        document.head.append(css);
        const script = el('script');
        script.src = window.SyncWebjars.uplot + 'uPlot.iife.min.js';
        script.onload = () => resolve(window.uPlot);
        script.onerror = () => { uplotLoading = null; reject(new Error('the chart library did not load')); };
        document.head.append(script);
      });
    }
    return uplotLoading;
  }

  async function renderChart(runs) {
    const box = $('#run-chart');
    const done = runs.filter((r) => FINAL.includes(r.status) && runSeconds(r) !== null).reverse();
    box.dataset.points = String(done.length);
    $('#run-chart-empty').hidden = done.length > 0;
    box.hidden = done.length === 0;
    if (chart) { chart.destroy(); chart = null; }
    if (done.length === 0) { return; }
    const UPlot = await loadUPlot();
    if (!jobId) { return; }
    const data = [
      done.map((r) => new Date(r.started_at).getTime() / 1000),
      done.map(runSeconds),
      done.map((r) => r.bytes_transferred),
    ];
    const opts = {
      width: chartWidth(),
      height: 220,
      scales: { x: { time: true }, s: { auto: true }, b: { auto: true } },
      series: [
        { label: 'started' },
        { label: 'duration', scale: 's', stroke: '#2b6cb0', width: 2, points: { size: 6 },
          value: (u, v) => (v === null ? '—' : duration(v)) },
        { label: 'bytes', scale: 'b', stroke: '#2f855a', width: 2, points: { size: 6 },
          value: (u, v) => (v === null ? '—' : bytes(v)) },
      ],
      axes: [
        {},
        { scale: 's', label: 'duration (s)' },
        { scale: 'b', side: 1, label: 'bytes', size: 70,
          values: (u, vals) => vals.map((v) => bytes(v)), grid: { show: false } },
      ],
    };
    box.replaceChildren();
    chart = new UPlot(opts, data, box);
  }

  function chartWidth() {
    return Math.max(280, Math.min(900, $('#run-chart').clientWidth || section.clientWidth - 40));
  }

  window.addEventListener('resize', () => {
    if (chart) { chart.setSize({ width: chartWidth(), height: 220 }); }
  });

  // ---- live progress -----------------------------------------------------------------------
  document.addEventListener('syncjobs:progress', (ev) => {
    const m = ev.detail;
    if (!jobId || m.job_id !== jobId || !job) { return; }
    const previous = lastProgress;
    lastProgress = m;
    $('#job-progress').replaceChildren(app.progressBar(job, m));
    const changed = !previous || previous.status !== m.status || previous.run_id !== m.run_id;
    if (!changed || !m.run_id) { return; }
    renderControls();
    if (m.status === 'running' || m.status === 'pending') {
      if (!tail || tail.runId !== m.run_id || !tail.live) {
        showLog({ id: m.run_id, started_at: new Date().toISOString() }, true);
      }
      if (offset === 0) { loadRuns(); }
    } else if (FINAL.includes(m.status)) {
      const wasLive = tail && tail.runId === m.run_id && tail.live;
      endTail(m.run_id);
      if (previous || wasLive) { load(); }
    }
  });

  window.addEventListener('hashchange', route);
  document.addEventListener('syncjobs:ready', route);
  document.addEventListener('syncjobs:signed-out', close);
})();
