// What-if sandbox: each change re-runs POST /api/v1/gaps/what-if (compare) at once;
// scenarios are saved with PUT /api/v1/scenarios/{name} (login needed) and reopened
// with GET /api/v1/scenarios/{name}. Nothing here writes graph data.
(function () {
  'use strict';
  var root = document.getElementById('whatif');
  if (!root) { return; }
  var CJ = window.CJ, t = CJ.t;
  var changes = { add_courses: [], remove_courses: [], coverage: [], new_courses: [] };
  var $ = function (id) { return document.getElementById(id); };
  var errorBox = $('whatif-error');
  var seq = 0;

  function optionText(select, value) {
    var opt = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
    return opt ? opt.textContent : value;
  }

  function body() {
    return Object.assign({ cluster: root.dataset.cluster, chain: root.dataset.chain, compare: true, with_closers: false, full: false }, changes);
  }

  function run() {
    var mine = ++seq;
    root.classList.add('busy');
    return CJ.postJSON('/api/v1/gaps/what-if', body()).then(function (result) {
      if (mine !== seq) { return; }
      errorBox.hidden = true;
      show(result);
    }).catch(function (err) {
      errorBox.textContent = err.message; errorBox.hidden = false;
    }).then(function () { root.classList.remove('busy'); });
  }

  function delta(v) {
    if (v === null || v === undefined) { return '—'; }
    var s = (v * 100).toFixed(1) + ' %';
    return v > 0 ? '+' + s : s;
  }

  function cells(tr, values) {
    values.forEach(function (v, i) {
      var cell = document.createElement(i === 0 ? 'th' : 'td');
      cell.textContent = v; tr.appendChild(cell);
    });
  }

  function show(result) {
    var c = result.comparison;
    $('cov-before').textContent = CJ.pct(c.chain.before); $('cov-before').dataset.value = c.chain.before;
    $('cov-after').textContent = CJ.pct(c.chain.after); $('cov-after').dataset.value = c.chain.after;
    $('cov-delta').textContent = delta(c.chain.delta);
    $('cov-delta').className = c.chain.delta > 0 ? 'up' : (c.chain.delta < 0 ? 'down' : '');
    $('gaps-before').textContent = result.before.summary.gaps;
    $('gaps-after').textContent = result.after.summary.gaps;
    $('gaps-delta').textContent = String(result.after.summary.gaps - result.before.summary.gaps);
    var segs = $('compare-segments').tBodies[0]; segs.textContent = '';
    c.segments.forEach(function (s) { var tr = document.createElement('tr'); cells(tr, [s.name, CJ.pct(s.before), CJ.pct(s.after), delta(s.delta)]); segs.appendChild(tr); });
    var pos = $('compare-positions').tBodies[0]; pos.textContent = '';
    c.positions.forEach(function (p) { var tr = document.createElement('tr'); cells(tr, [p.name, CJ.pct(p.before), CJ.pct(p.after), delta(p.delta)]); pos.appendChild(tr); });
    var list = $('gaps-after-list'); list.textContent = '';
    result.after.gaps.slice(0, 15).forEach(function (g) { var li = document.createElement('li'); li.textContent = g.name + '  ' + g.priority; list.appendChild(li); });
    var moves = $('gap-moves'); moves.textContent = '';
    [['gaps_closed', t('已补上', 'closed')], ['gaps_opened', t('新出现', 'opened')], ['gaps_changed', t('变化', 'moved')]].forEach(function (pair) {
      c[pair[0]].forEach(function (g) {
        var li = document.createElement('li');
        li.className = pair[0];
        li.textContent = pair[1] + '：' + g.name + '（' + g.before + ' → ' + g.after + '）';
        moves.appendChild(li);
      });
    });
    if (!moves.children.length) { var li = document.createElement('li'); li.className = 'muted'; li.textContent = '—'; moves.appendChild(li); }
  }

  function listChanges() {
    var ul = $('change-list'); ul.textContent = '';
    var items = [];
    changes.add_courses.forEach(function (c, i) { items.push([t('增加课程 ', 'add course ') + optionText($('add-course'), c), function () { changes.add_courses.splice(i, 1); }]); });
    changes.remove_courses.forEach(function (c, i) { items.push([t('删除课程 ', 'remove course ') + optionText($('remove-course'), c), function () { changes.remove_courses.splice(i, 1); }]); });
    changes.coverage.forEach(function (ch, i) { items.push([ch.course + ' · ' + optionText($('level-ability'), ch.ability) + ' → ' + ch.level, function () { changes.coverage.splice(i, 1); }]); });
    changes.new_courses.forEach(function (nc, i) {
      items.push([t('新课程 ', 'new course ') + nc.name + '（' + nc.id + '，' + (nc.hours || 0) + t(' 学时', ' hours') + '）：' + nc.abilities.map(function (a) { return optionText($('level-ability'), a.ability) + ' ' + a.level; }).join('、'), function () { changes.new_courses.splice(i, 1); }]);
    });
    if (!items.length) { var li = document.createElement('li'); li.className = 'muted'; li.textContent = t('尚无调整', 'none yet'); ul.appendChild(li); }
    items.forEach(function (item) {
      var li = document.createElement('li');
      li.appendChild(document.createTextNode(item[0] + ' '));
      var x = document.createElement('button'); x.type = 'button'; x.className = 'link'; x.textContent = '×';
      x.title = t('撤销', 'undo');
      x.addEventListener('click', function () { item[1](); changed(); });
      li.appendChild(x); ul.appendChild(li);
    });
    // the level form may target added and new courses too
    var sel = $('level-course');
    Array.prototype.slice.call(sel.options).forEach(function (o) { if (o.dataset.extra) { sel.removeChild(o); } });
    changes.add_courses.concat(changes.new_courses.map(function (n) { return n.id; })).forEach(function (id) {
      var o = document.createElement('option'); o.value = id; o.dataset.extra = '1'; o.textContent = id; sel.appendChild(o);
    });
  }

  function changed() { listChanges(); return run(); }

  $('add-course-go').addEventListener('click', function () {
    var v = $('add-course-id').value.trim() || $('add-course').value;
    if (v && changes.add_courses.indexOf(v) < 0) {
      changes.add_courses.push(v);
      changed().then(function () { if (!errorBox.hidden) { changes.add_courses.pop(); listChanges(); } });
    }
  });
  $('remove-course-go').addEventListener('click', function () {
    var v = $('remove-course').value; if (v && changes.remove_courses.indexOf(v) < 0) { changes.remove_courses.push(v); changed(); }
  });
  $('level-go').addEventListener('click', function () {
    var course = $('level-course').value, ability = $('level-ability').value, level = parseInt($('level-value').value, 10);
    changes.coverage = changes.coverage.filter(function (c) { return !(c.course === course && c.ability === ability); });
    changes.coverage.push({ course: course, ability: ability, level: level });
    changed();
  });
  function abilityRow() {
    var row = $('ability-row').content.firstElementChild.cloneNode(true);
    $('new-abilities').appendChild(row);
    return row;
  }
  abilityRow();
  $('new-ability-row').addEventListener('click', abilityRow);
  $('new-course-go').addEventListener('click', function () {
    var abilities = [];
    $('new-abilities').querySelectorAll('.ability-row').forEach(function (row) {
      abilities.push({ ability: row.querySelector('.new-ability').value, level: parseInt(row.querySelector('.new-level').value, 10) });
    });
    var hours = $('new-hours').value;
    changes.new_courses.push({ id: $('new-id').value.trim(), name: $('new-name').value.trim(), hours: hours === '' ? null : parseFloat(hours), abilities: abilities });
    $('new-id').value = 'NEW-' + (changes.new_courses.length + 1);
    changed().then(function () {
      if (!errorBox.hidden) { changes.new_courses.pop(); listChanges(); }
    });
  });

  $('scenario-save').addEventListener('click', function () {
    var name = $('scenario-name').value.trim();
    if (!name) { errorBox.textContent = t('请先填写方案名称', 'give the scenario a name first'); errorBox.hidden = false; return; }
    var b = body(); delete b.compare; delete b.with_closers; delete b.full;
    CJ.putJSON('/api/v1/scenarios/' + encodeURIComponent(name) + '?replace=true', b).then(function (saved) {
      errorBox.hidden = true;
      var ul = $('scenario-list');
      var li = document.createElement('li');
      var a = document.createElement('a'); a.className = 'scenario-link';
      a.href = '/whatif?' + CJ.query({ cluster: root.dataset.cluster, chain: root.dataset.chain, scenario: saved.name });
      a.textContent = saved.name; li.appendChild(a);
      li.appendChild(document.createTextNode(' ' + t('已保存', 'saved')));
      ul.appendChild(li);
    }).catch(function (err) { errorBox.textContent = err.message; errorBox.hidden = false; });
  });

  if (root.dataset.scenario) {
    CJ.getJSON('/api/v1/scenarios/' + encodeURIComponent(root.dataset.scenario)).then(function (opened) {
      var ch = opened.changes;
      root.dataset.cluster = ch.cluster; root.dataset.chain = ch.chain;
      changes = { add_courses: ch.add_courses, remove_courses: ch.remove_courses, coverage: ch.coverage, new_courses: ch.new_courses };
      listChanges(); show(opened);
    }).catch(function (err) { errorBox.textContent = err.message; errorBox.hidden = false; });
  }
})();
