'use strict';
// Audit section: the audit trail (/audit), newest first, a page at a time, filtered by resource
// type and id. Reading it changes nothing, so a viewer gets the same controls.
// app.js announces sign-in and sign-out with the events 'syncjobs:ready' and 'syncjobs:signed-out';
// the settings forms announce a save with 'syncjobs:changed'.
(function () {
  const { $, el, when } = window.SyncDom;
  const Api = window.SyncApi;
  const PAGE = 20;
  const section = $('#audit');
  const body = $('#audit-list tbody');
  const type = $('#audit-type');
  const id = $('#audit-id');
  let offset = 0;
  let total = 0;
  let timer = null;
  let asked = 0;   // the newest request: an older answer arriving later is dropped
  const names = new Map();  // job id -> name, so a job's entries say which job

  async function loadNames() {
    try {
      for (const j of (await Api.get('/storage/sync-jobs')).data) { names.set(j.id, j.name); }
    } catch (e) {
      // the entries still show the ids
    }
  }

  // A job's name: from the jobs list, or for a deleted job from its own entries' details.
  function jobName(a) {
    if (a.resource_type !== 'job') { return null; }
    const d = a.details || {};
    return names.get(a.resource_id) || d.name || d.job_name || null;
  }

  function details(d) {
    if (d === null || d === undefined) { return ''; }
    if (typeof d !== 'object') { return String(d); }
    return Object.entries(d)
      .map(([k, v]) => k + ': ' + (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)))
      .join(', ');
  }

  function render(entries) {
    body.replaceChildren();
    for (const a of entries) {
      const tr = el('tr');
      tr.dataset.action = a.action;
      tr.dataset.resourceType = a.resource_type;
      const at = el('td');
      const time = el('time', when(a.at));
      time.dateTime = a.at;
      at.append(time);
      tr.append(at);
      tr.append(el('td', a.actor));
      tr.append(el('td', a.action, 'action'));
      const name = jobName(a);
      const res = el('td', a.resource_type + ' ' + (name ? name + ' ' : ''), 'resource');
      const link = el('button', a.resource_id, 'link resource-id');
      link.type = 'button';
      link.title = 'only this ' + a.resource_type;
      link.addEventListener('click', () => {
        type.value = a.resource_type;
        id.value = a.resource_id;
        offset = 0;
        load();
      });
      res.append(link);
      tr.append(res);
      tr.append(el('td', details(a.details), 'details'));
      body.append(tr);
    }
    $('#audit-empty').hidden = entries.length > 0;
    const first = total === 0 ? 0 : offset + 1;
    $('#audit-page').textContent = first + '–' + (offset + entries.length) + ' of ' + total;
    $('#audit-newer').disabled = offset === 0;
    $('#audit-older').disabled = offset + entries.length >= total;
  }

  async function load() {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (type.value) { q.set('resource_type', type.value); }
    if (id.value.trim()) { q.set('resource_id', id.value.trim()); }
    const mine = ++asked;
    try {
      const res = await Api.get('/audit?' + q);
      if (mine !== asked) { return; }
      total = res.total;
      if (res.data.length === 0 && offset > 0) {
        offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
        return load();
      }
      render(res.data);
      $('#audit-error').textContent = '';
    } catch (e) {
      $('#audit-error').textContent = String(e.message || e);
    }
  }

  $('#audit-newer').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); load(); });
  $('#audit-older').addEventListener('click', () => { offset += PAGE; load(); });
  type.addEventListener('change', () => { offset = 0; load(); });
  id.addEventListener('change', () => { offset = 0; load(); });

  document.addEventListener('syncjobs:ready', async () => {
    section.hidden = false;
    offset = 0;
    await loadNames();
    load();
    clearInterval(timer);
    // newer entries appear by themselves on the first page; later pages stay where they are
    timer = setInterval(() => { if (Api.token() && offset === 0) { load(); } }, 30000);
  });
  document.addEventListener('syncjobs:changed', () => { if (offset === 0) { load(); } });
  document.addEventListener('syncjobs:signed-out', () => {
    section.hidden = true;
    clearInterval(timer);
    body.replaceChildren();
    names.clear();
  });
})();
