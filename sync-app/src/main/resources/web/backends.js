'use strict';
// Backends section: each storage backend online or offline, its file system's used, free and
// total space, and the jobs that write into it (names on hover). Read-only for every role.
// app.js announces sign-in and sign-out with the events 'syncjobs:ready' and 'syncjobs:signed-out'.
(function () {
  const { $, el, bytes } = window.SyncDom;
  const Api = window.SyncApi;
  const section = $('#backends');
  const body = $('#backend-list tbody');
  let timer = null;

  function usage(b) {
    const td = el('td', null, 'used');
    if (b.status !== 'online' || !b.total_bytes) { td.textContent = '—'; return td; }
    const percent = Math.round((b.used_bytes / b.total_bytes) * 100);
    const track = el('div', null, 'progress-track');
    const bar = el('div', null, 'progress-bar' + (percent >= 90 ? ' full' : ''));
    bar.style.width = percent + '%';
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', 'space used on ' + b.name);
    bar.setAttribute('aria-valuenow', String(percent));
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    track.append(bar);
    td.append(track, el('div', bytes(b.used_bytes) + ' (' + percent + ' %)', 'progress-text'));
    return td;
  }

  function render(backends, jobs) {
    body.replaceChildren();
    for (const b of backends) {
      const mine = jobs.filter((j) => j.destination_backend_id === b.id);
      const tr = el('tr');
      tr.dataset.backend = b.id;
      tr.dataset.status = b.status;
      tr.append(el('td', b.name, 'name'));
      tr.append(el('td', b.status, 'status status-' + (b.status === 'online' ? 'synced' : 'failed')));
      tr.append(el('td', b.mount_point, 'mount'));
      tr.append(usage(b));
      tr.append(el('td', b.status === 'online' ? bytes(b.free_bytes) : '—', 'free'));
      tr.append(el('td', b.status === 'online' && b.total_bytes ? bytes(b.total_bytes) : '—', 'total'));
      const count = el('td', String(mine.length), 'jobs');
      if (mine.length > 0) { count.title = mine.map((j) => j.name).join(', '); }
      tr.append(count);
      body.append(tr);
    }
  }

  async function load() {
    try {
      const [backends, jobs] = await Promise.all([
        Api.get('/storage/backends'), Api.get('/storage/sync-jobs')]);
      render(backends.data, jobs.data);
      $('#backends-error').textContent = '';
    } catch (e) {
      $('#backends-error').textContent = String(e.message || e);
    }
  }

  document.addEventListener('syncjobs:ready', () => {
    section.hidden = false;
    load();
    clearInterval(timer);
    timer = setInterval(() => { if (Api.token()) { load(); } }, 60000);
  });
  document.addEventListener('syncjobs:signed-out', () => {
    section.hidden = true;
    clearInterval(timer);
    body.replaceChildren();
  });
})();
