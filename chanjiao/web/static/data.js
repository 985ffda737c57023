// Data page: upload → POST /api/v1/ingest?dry_run=true (writes nothing) → show the
// counts or every error → Confirm posts the same file without dry_run. The session's
// CSRF token goes with each write.
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  if (!form) { return; }
  var CJ = window.CJ, t = CJ.t;
  var $ = function (id) { return document.getElementById(id); };
  var names = {};
  document.querySelectorAll('tr[data-label]').forEach(function (tr) { names[tr.dataset.label] = tr.cells[0].textContent; });

  function upload(dry) {
    var file = $('upload-file').files[0];
    if (!file) { return Promise.resolve(); }
    var data = new FormData();
    data.append('file', file, file.name);
    $('upload-result').hidden = false;
    $('result-title').textContent = t('正在处理…', 'Working…');
    return CJ.postJSON('/api/v1/ingest?dry_run=' + (dry ? 'true' : 'false'), data).then(function (result) {
      showDiff(result, dry);
    }).catch(function (err) { showErrors(err); });
  }

  function row(body, values) {
    var tr = document.createElement('tr');
    values.forEach(function (v) { var td = document.createElement('td'); td.textContent = v === null || v === undefined ? '' : String(v); tr.appendChild(td); });
    body.appendChild(tr);
  }

  function showDiff(result, dry) {
    $('error-table').hidden = true;
    var body = $('diff-table').tBodies[0]; body.textContent = '';
    var groups = [result.nodes, result.relationships];
    groups.forEach(function (group) {
      Object.keys(group).forEach(function (k) { var c = group[k]; row(body, [names[k] || k, c.added, c.updated, c.unchanged]); });
    });
    $('diff-table').hidden = false;
    $('result-title').textContent = dry ? t('检查通过：将要做的改动', 'Check passed: what would change') : t('已导入', 'Loaded');
    $('result-title').className = 'ok';
    $('result-message').textContent = result.rows + t(' 行数据', ' rows') + (result.warnings.length ? ' · ' + result.warnings.length + t(' 条提示', ' warnings') : '');
    $('upload-confirm').hidden = !dry;
  }

  function showErrors(err) {
    $('diff-table').hidden = true;
    $('upload-confirm').hidden = true;
    $('result-title').textContent = t('无法导入', 'Cannot load');
    $('result-title').className = 'warn';
    $('result-message').textContent = err.message;
    var body = $('error-table').tBodies[0]; body.textContent = '';
    var problems = (err.body && err.body.details && err.body.details.errors) || [];
    problems.forEach(function (p) {
      if (p.file !== undefined) { row(body, [p.file, p.row, p.column, CJ.lang === 'en' ? p.message_en : p.message]); }
    });
    $('error-table').hidden = !body.children.length;
  }

  form.addEventListener('submit', function (ev) { ev.preventDefault(); upload(true); });
  $('upload-confirm').addEventListener('click', function () { upload(false); });
})();
