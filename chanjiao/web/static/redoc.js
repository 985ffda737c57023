// Redoc over this server's own OpenAPI document; no web fonts are fetched.
Redoc.init('/api/v1/openapi.json', {
  hideDownloadButton: false,
  theme: { typography: { fontFamily: 'Noto Sans CJK SC, sans-serif', headings: { fontFamily: 'Noto Sans CJK SC, sans-serif' } } },
}, document.getElementById('redoc'));
