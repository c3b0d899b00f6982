// Starts the OpenAPI viewer on Spil's own OpenAPI document (no inline script: the page's
// Content-Security-Policy allows only scripts served by Spil itself).
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: false,
  });
});
