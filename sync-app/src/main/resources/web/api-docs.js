'use strict';
// Swagger UI at /api/docs over the server's own OpenAPI document. The document is an /api/v1 path
// and needs a token like every other: the page takes the one the web page keeps in this tab, or
// asks for one, and sends it with the document's request and with every "Try it out". No
// validator badge: it would send the document to an outside service.
(function () {
  const TOKEN_KEY = 'syncjobs.token';
  const SPEC = '/api/v1/openapi.json';
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const error = document.getElementById('token-error');

  function authorize(req) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token && !req.headers.Authorization) {
      req.headers.Authorization = 'Bearer ' + token;
    }
    return req;
  }

  async function show() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      form.hidden = false;
      input.focus();
      return;
    }
    const res = await fetch(SPEC, { headers: { Authorization: 'Bearer ' + token } });
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      error.textContent = 'That token was not accepted.';
      form.hidden = false;
      input.focus();
      return;
    }
    form.hidden = true;
    window.ui = SwaggerUIBundle({
      spec: await res.json(),
      dom_id: '#swagger-ui',
      deepLinking: true,
      validatorUrl: null,
      requestInterceptor: authorize,
      presets: [SwaggerUIBundle.presets.apis],
    });
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    if (!value) { return; }
    sessionStorage.setItem(TOKEN_KEY, value);
    input.value = '';
    error.textContent = '';
    show();
  });

  window.addEventListener('load', show);
})();
