// The documentation page: fetches this server's OpenAPI document and the
// "Getting started" guide, puts the guide first in the API's description (so
// that its headings join Redoc's side menu) and renders the reference with
// Redoc. When it is done, <html data-docs> is "ready" (or "error").
(function () {
  'use strict';
  var root = document.getElementById('redoc');
  var status = document.getElementById('docs-status');

  function fail(what, err) {
    document.documentElement.setAttribute('data-docs', 'error');
    status.textContent = 'The API reference could not be shown: ' + what + '. ' +
      'The OpenAPI document itself is at ' + root.dataset.specUrl + '.';
    console.error('docs: ' + what, err);
  }

  function get(url, accept, read) {
    return fetch(url, { headers: { Accept: accept }, credentials: 'omit' }).then(function (r) {
      if (!r.ok) {
        throw new Error(url + ' answered ' + r.status);
      }
      return read(r);
    });
  }

  var theme = {
    colors: {
      primary: { main: '#00629b' },
      success: { main: '#2e7d32' },
      text: { primary: '#263238' },
      http: { get: '#2e7d32', post: '#00629b', patch: '#8e24aa', put: '#ef6c00', delete: '#c62828' }
    },
    typography: {
      fontSize: '15px',
      lineHeight: '1.55',
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif',
      headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif', fontWeight: '600' },
      code: {
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
        fontSize: '13px',
        color: '#00507a',
        backgroundColor: 'rgba(0, 98, 155, 0.07)'
      },
      links: { color: '#00629b', visited: '#00629b', hover: '#003f63' }
    },
    sidebar: { width: '280px', backgroundColor: '#f5f7f9' },
    rightPanel: { backgroundColor: '#263238', width: '40%' }
  };

  Promise.all([
    get(root.dataset.specUrl, 'application/json', function (r) { return r.json(); }),
    get(root.dataset.guideUrl, 'text/markdown', function (r) { return r.text(); })
  ]).then(function (got) {
    var spec = got[0];
    var guide = got[1];
    spec.info = spec.info || {};
    var own = spec.info.description || '';
    if (own && !/^\s*#/.test(own)) {
      // The document's own description gets a heading (and a menu entry) of its own.
      own = '# About this API\n\n' + own;
    }
    spec.info.description = guide + (own ? '\n\n' + own : '');
    window.Redoc.init(spec, {
      theme: theme,
      downloadDefinitionUrl: root.dataset.specUrl,
      downloadFileName: 'openapi.json',
      expandResponses: '200,201',
      jsonSampleExpandLevel: 3,
      requiredPropsFirst: true,
      hideHostname: false,
      nativeScrollbars: true
    }, root, function (err) {
      if (err) {
        fail('Redoc failed to render the document', err);
        return;
      }
      document.documentElement.setAttribute('data-docs', 'ready');
    });
  }).catch(function (err) {
    fail(String(err && err.message || err), err);
  });
})();
