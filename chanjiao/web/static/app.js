// Shared helpers of the workbench pages: words in the page's language, JSON calls to
// this server's API (writes carry the session's CSRF token), sortable and filterable
// tables. No inline script anywhere: pages load this file and their own.
(function () {
  'use strict';
  var meta = function (name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.content : ''; };
  var lang = meta('lang') || 'zh';

  function t(zh, en) { return lang === 'en' ? en : zh; }

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v === null || v === undefined || v === '') { return; }
      parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    });
    return parts.join('&');
  }

  function failure(response, body) {
    var message = body && (lang === 'en' ? body.message_en : body.message);
    var err = new Error(message || (t('请求失败：', 'request failed: ') + response.status));
    err.status = response.status;
    err.body = body;
    return err;
  }

  function handle(response) {
    var type = response.headers.get('content-type') || '';
    var body = type.indexOf('json') >= 0 ? response.json() : response.text();
    return body.then(function (data) {
      if (!response.ok) { throw failure(response, typeof data === 'object' ? data : null); }
      return data;
    });
  }

  function send(method, url, body) {
    var headers = { 'X-CSRF-Token': meta('csrf-token') };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (body instanceof FormData) { init.body = body; } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(handle);
  }

  window.CJ = {
    t: t,
    lang: lang,
    query: query,
    getJSON: function (url) { return fetch(url, { credentials: 'same-origin' }).then(handle); },
    postJSON: function (url, body) { return send('POST', url, body); },
    putJSON: function (url, body) { return send('PUT', url, body); },
    del: function (url) { return send('DELETE', url); },
    pct: function (v) { return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%'; },
    loggedIn: function () { return !!meta('csrf-token'); },
  };

  // Sortable tables: click a header with data-sort; rows sort inside each tbody.
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var headers = table.querySelectorAll('thead tr:last-child th[data-sort], thead tr:first-child th[data-sort]');
    headers.forEach(function (th) {
      th.classList.add('sort-handle');
      th.addEventListener('click', function (ev) {
        if (ev.target.tagName === 'A') { return; }
        var index = columnIndex(th);
        var numeric = th.dataset.sort === 'num';
        var dir = th.dataset.dir === 'desc' ? 'asc' : 'desc';
        th.dataset.dir = dir;
        table.querySelectorAll('tbody').forEach(function (body) {
          var rows = Array.prototype.filter.call(body.rows, function (r) { return !r.classList.contains('group'); });
          rows.sort(function (a, b) {
            var x = value(a.cells[index]), y = value(b.cells[index]);
            var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : String(x).localeCompare(String(y), 'zh');
            return dir === 'asc' ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  });

  function columnIndex(th) {
    // the last header row maps onto cells after the row-spanning first columns
    var row = th.parentElement;
    var spanned = 0;
    if (row.previousElementSibling) {
      row.previousElementSibling.querySelectorAll('th[rowspan]').forEach(function () { spanned += 1; });
    }
    return Array.prototype.indexOf.call(row.children, th) + spanned;
  }

  function value(cell) { return cell ? (cell.dataset.value !== undefined ? cell.dataset.value : (cell.textContent || '0')) : ''; }

  // Filter inputs: hide rows whose first cell does not contain the text.
  document.querySelectorAll('input.filter[data-table]').forEach(function (input) {
    var table = document.getElementById(input.dataset.table);
    input.addEventListener('input', function () {
      var needle = input.value.trim().toLowerCase();
      table.querySelectorAll('tbody tr').forEach(function (row) {
        if (row.classList.contains('group')) { return; }
        var text = (row.cells[0] ? value(row.cells[0]) : '').toLowerCase();
        row.hidden = needle !== '' && text.indexOf(needle) < 0;
      });
    });
  });

  // A change of cluster picks that cluster's own chain (the form is submitted as is).
  var cluster = document.getElementById('pick-cluster');
  var chain = document.getElementById('pick-chain');
  if (cluster && chain) {
    cluster.addEventListener('change', function () {
      var seg = document.getElementById('pick-segment');
      if (seg) { seg.value = ''; }
      chain.dataset.auto = '1';
    });
  }
})();
