'use strict';
// The REST API as every section of the page calls it: the signed-in token from
// sessionStorage, JSON in and out, problem+json refusals as SyncApi.ApiError (with the per-field
// errors), and whether this token may change things. Sign-in and a refused token stay app.js's.
window.SyncApi = (function () {
  const TOKEN_KEY = 'syncjobs.token';

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
      this.status = status;
      this.problem = problem || {};
    }

    // {field: message} of a 400's "errors"; one field named twice keeps both messages
    fields() {
      const out = {};
      for (const e of this.problem.errors || []) {
        out[e.field] = out[e.field] ? out[e.field] + '; ' + e.message : e.message;
      }
      return out;
    }
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  async function call(method, path, body) {
    const headers = { Authorization: 'Bearer ' + token() };
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch('/api/v1' + path, init);
    const type = res.headers.get('Content-Type') || '';
    const payload = type.includes('json') ? await res.json() : await res.text();
    if (!res.ok) { throw new ApiError(res.status, typeof payload === 'object' ? payload : null); }
    return payload;
  }

  // The API has no "who am I" route; tus discovery (OPTIONS) is not a read, so the server answers
  // it for the admin role only, and its answer tells whether this token may change things. One
  // question per token, however many sections ask.
  let probe = null;
  function mayChange() {
    const asked = token();
    if (!probe || probe.token !== asked) {
      const answer = fetch('/api/v1/tus', { method: 'OPTIONS', headers: { Authorization: 'Bearer ' + asked } })
        .then((res) => res.status === 204, () => false);
      probe = { token: asked, answer };
    }
    return probe.answer;
  }

  // Shows each field's message in the form's [data-field] element and marks its input; a message
  // for a field the form has no place for goes to the form's [data-field="*"] element.
  function showFieldErrors(form, errors) {
    form.querySelectorAll('[data-field]').forEach((e) => { e.textContent = ''; });
    form.querySelectorAll('.invalid').forEach((e) => {
      e.classList.remove('invalid');
      e.removeAttribute('aria-invalid');
    });
    const rest = [];
    for (const [field, message] of Object.entries(errors || {})) {
      const place = form.querySelector('[data-field="' + CSS.escape(field) + '"]');
      if (!place) { rest.push(field + ': ' + message); continue; }
      place.textContent = message;
      const input = form.querySelector('[name="' + CSS.escape(field) + '"]');
      if (input) { input.classList.add('invalid'); input.setAttribute('aria-invalid', 'true'); }
    }
    const general = form.querySelector('[data-field="*"]');
    if (general) { general.textContent = rest.join('; '); }
  }

  return { ApiError, token, get: (path) => call('GET', path), send: call, mayChange, showFieldErrors };
})();
