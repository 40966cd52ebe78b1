'use strict';
// Settings section: the global bandwidth limits (/sync/bandwidth/limit) and the notification
// channels (/settings/notifications, and its /test), each form loaded from the API, saved with a
// PUT and reloaded from the answer; the API's per-field errors appear next to their fields (the
// inputs are named as the API's fields, email ones dotted as "email.to"). A viewer sees the values
// with every input disabled and no Save or Test button.
// app.js announces sign-in and sign-out with the events 'syncjobs:ready' and 'syncjobs:signed-out';
// a save announces 'syncjobs:changed' so the audit log can show it.
(function () {
  const { $, el } = window.SyncDom;
  const Api = window.SyncApi;
  const MIB = 1024 * 1024;

  const section = $('#settings');
  const bandwidth = $('#bandwidth-form');
  const notifications = $('#notifications-form');
  let admin = false;

  // ---- who may change settings ---------------------------------------------------------------
  async function show() {
    admin = await Api.mayChange();
    section.dataset.mayChange = String(admin);
    section.querySelectorAll('fieldset').forEach((f) => { f.disabled = !admin; });
    section.querySelectorAll('.admin-only').forEach((e) => { e.hidden = !admin; });
    section.hidden = false;
    await Promise.all([loadBandwidth(), loadNotifications()]);
  }

  document.addEventListener('syncjobs:ready', () => { show(); });
  document.addEventListener('syncjobs:signed-out', () => {
    section.hidden = true;
    admin = false;
    bandwidth.reset();
    notifications.reset();
    $('#notifications-test-result').replaceChildren();
  });

  function status(form, text) { $('.form-status', form).textContent = text || ''; }

  // What the API refused: each field's message beside it, anything else above the buttons.
  function refused(form, e) {
    const fields = e instanceof Api.ApiError ? e.fields() : {};
    if (Object.keys(fields).length === 0) { fields['*'] = String(e.message || e); }
    Api.showFieldErrors(form, fields);
    status(form, '');
  }

  // A number the person typed, or the text itself when it is none, so the API names the field.
  function number(text, scale) {
    const t = text.trim();
    if (t === '') { return null; }
    const n = Number(t);
    return Number.isFinite(n) ? Math.round(n * scale) : t;
  }

  // ---- bandwidth ---------------------------------------------------------------------------
  // A limit is shown in the largest unit that holds it with at most three decimals, so saving
  // the form unchanged sends the same number of bytes back.
  function showLimit(name, bytesPerSecond) {
    const f = bandwidth.elements;
    let unit = MIB;
    if (bytesPerSecond) {
      unit = [MIB, 1024, 1].find((u) => (bytesPerSecond * 1000) % u === 0);
    }
    f[name + '_unit'].value = String(unit);
    f[name].value = bytesPerSecond ? String(bytesPerSecond / unit) : '';
  }

  function limit(name) {
    const f = bandwidth.elements;
    return number(f[name].value, Number(f[name + '_unit'].value));
  }

  function fillBandwidth(b) {
    const f = bandwidth.elements;
    showLimit('download_speed_limit', b.download_speed_limit);
    showLimit('upload_speed_limit', b.upload_speed_limit);
    f.throttle_enabled.checked = !!b.throttle_enabled;
    f.throttle_start_hour.value = String(b.throttle_start_hour || 0);
    f.throttle_end_hour.value = String(b.throttle_end_hour || 0);
  }

  async function loadBandwidth() {
    try {
      fillBandwidth((await Api.get('/sync/bandwidth/limit')).data);
      Api.showFieldErrors(bandwidth, {});
    } catch (e) { refused(bandwidth, e); }
  }

  bandwidth.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!admin) { return; }
    const f = bandwidth.elements;
    const body = {
      download_speed_limit: limit('download_speed_limit'),
      upload_speed_limit: limit('upload_speed_limit'),
      throttle_enabled: f.throttle_enabled.checked,
      throttle_start_hour: Number(f.throttle_start_hour.value),
      throttle_end_hour: Number(f.throttle_end_hour.value),
    };
    status(bandwidth, 'saving…');
    try {
      const res = await Api.send('PUT', '/sync/bandwidth/limit', body);
      fillBandwidth(res.data);
      Api.showFieldErrors(bandwidth, {});
      status(bandwidth, 'Saved.');
      document.dispatchEvent(new CustomEvent('syncjobs:changed'));
    } catch (e) { refused(bandwidth, e); }
  });

  // ---- notifications -----------------------------------------------------------------------
  function field(name) { return notifications.elements.namedItem(name); }

  function secretState(name, isSet) {
    const e = $('[data-state-of="' + name + '"]', notifications);
    const what = name === 'secret' ? 'Signing secret' : 'SMTP password';
    e.textContent = what + ': ' + (isSet ? 'stored' : 'none');
    e.dataset.set = String(!!isSet);
  }

  function showEmail() {
    const on = field('email_enabled').checked;
    $('.email-fields', notifications).hidden = !on;
  }

  function fillNotifications(n) {
    field('webhook_url').value = n.webhook_url || '';
    field('format').value = n.format || 'generic';
    field('secret').value = '';
    field('secret_remove').checked = false;
    secretState('secret', n.secret_set);
    for (const k of ['on_start', 'on_success', 'on_failure', 'on_cancel']) { field(k).checked = !!n[k]; }
    const m = n.email;
    field('email_enabled').checked = !!m;
    field('email.smtp_host').value = m ? m.smtp_host || '' : '';
    field('email.smtp_port').value = m && m.smtp_port ? String(m.smtp_port) : '';
    field('email.starttls').checked = m ? !!m.starttls : true;
    field('email.username').value = m ? m.username || '' : '';
    field('email.password').value = '';
    field('email.from').value = m ? m.from || '' : '';
    field('email.to').value = m ? (m.to || []).join(', ') : '';
    secretState('email.password', m && m.password_set);
    showEmail();
  }

  function notificationsBody() {
    const text = (name) => field(name).value.trim();
    const body = {
      webhook_url: text('webhook_url') || null,
      format: field('format').value,
    };
    if (field('secret_remove').checked) {
      body.secret = null;
    } else if (field('secret').value !== '') {
      body.secret = field('secret').value;
    }
    for (const k of ['on_start', 'on_success', 'on_failure', 'on_cancel']) { body[k] = field(k).checked; }
    if (!field('email_enabled').checked) {
      body.email = null;
      return body;
    }
    const email = {
      smtp_host: text('email.smtp_host') || null,
      starttls: field('email.starttls').checked,
      username: text('email.username') || null,
      from: text('email.from') || null,
      to: text('email.to').split(/[\n,;]+/).map((a) => a.trim()).filter((a) => a !== ''),
    };
    const port = number(field('email.smtp_port').value, 1);
    if (port !== null) { email.smtp_port = port; }
    if (field('email.password').value !== '') { email.password = field('email.password').value; }
    body.email = email;
    return body;
  }

  async function loadNotifications() {
    try {
      fillNotifications((await Api.get('/settings/notifications')).data);
      Api.showFieldErrors(notifications, {});
    } catch (e) { refused(notifications, e); }
  }

  field('email_enabled').addEventListener('change', showEmail);
  field('secret_remove').addEventListener('change', () => {
    field('secret').disabled = field('secret_remove').checked;
  });

  notifications.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!admin) { return; }
    status(notifications, 'saving…');
    try {
      const res = await Api.send('PUT', '/settings/notifications', notificationsBody());
      fillNotifications(res.data);
      field('secret').disabled = false;
      Api.showFieldErrors(notifications, {});
      status(notifications, 'Saved.');
      document.dispatchEvent(new CustomEvent('syncjobs:changed'));
    } catch (e) { refused(notifications, e); }
  });

  // The test goes through the saved settings (the server's), not what the form shows unsaved.
  $('#notifications-test').addEventListener('click', async () => {
    if (!admin) { return; }
    const list = $('#notifications-test-result');
    list.replaceChildren(el('li', 'sending…', 'muted'));
    try {
      const res = await Api.send('POST', '/settings/notifications/test');
      list.replaceChildren();
      const channels = Object.entries(res.data.channels || {});
      if (channels.length === 0) { list.append(el('li', res.message, 'muted')); }
      for (const [channel, outcome] of channels) {
        const li = el('li', channel + ': ' + outcome, outcome.startsWith('ok') ? 'ok' : 'error');
        li.dataset.channel = channel;
        list.append(li);
      }
    } catch (e) {
      list.replaceChildren(el('li', String(e.message || e), 'error'));
    }
  });
})();
