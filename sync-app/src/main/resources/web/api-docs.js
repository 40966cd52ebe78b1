'use strict';
// Swagger UI at /api/docs over the server's own OpenAPI document. "Authorize" takes the admin or
// viewer token for "Try it out"; the document itself needs none. No validator badge: it would
// send the document to an outside service.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
