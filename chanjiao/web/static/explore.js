// Graph explorer: sigma.js (WebGL) over graphology. Data comes from /api/v1/graph/*.
(function () {
  'use strict';
  var root = document.getElementById('explorer');
  if (!root) { return; }
  var CJ = window.CJ;
  var t = CJ.t;
  var graph = new graphology.Graph({ type: 'directed', multi: true, allowSelfLoops: true });
  var container = document.getElementById('sigma');
  var statusLine = document.getElementById('graph-status');
  var tooltip = document.getElementById('tooltip');
  var details = document.getElementById('node-details');
  var hiddenLabels = {};
  var hiddenRels = {};
  var selected = null;
  var neighbours = null;
  var labelNames = {};
  var relNames = {};

  var renderer = new Sigma(graph, container, {
    renderEdgeLabels: false,
    labelFont: 'Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif',
    labelSize: 13,
    labelDensity: 0.7,
    labelGridCellSize: 80,
    labelRenderedSizeThreshold: 6,
    defaultEdgeType: 'arrow',
    zIndex: true,
    hideEdgesOnMove: true,
    hideLabelsOnMove: true,
    nodeReducer: function (node, data) {
      var res = Object.assign({}, data);
      if (hiddenLabels[data.kind]) { res.hidden = true; }
      if (selected && node !== selected && neighbours && !neighbours[node]) {
        res.color = '#d8dde3'; res.label = ''; res.zIndex = 0;
      } else if (selected) { res.zIndex = 1; res.forceLabel = true; }
      if (node === selected) { res.highlighted = true; }
      return res;
    },
    edgeReducer: function (edge, data) {
      var res = Object.assign({}, data);
      if (hiddenRels[data.rel]) { res.hidden = true; }
      if (selected) {
        var ends = graph.extremities(edge);
        if (ends[0] !== selected && ends[1] !== selected) { res.hidden = true; }
      }
      return res;
    },
  });
  window.chanjiaoExplorer = { graph: graph, renderer: renderer };

  function say(text) { statusLine.textContent = text; }

  // Big graphs draw edges as plain lines (no arrow heads): far fewer vertices per frame.
  var BIG = 3000;
  function edgeType() { return graph.size > BIG ? 'line' : 'arrow'; }

  function addData(data, around) {
    var placed = 0;
    var newKeys = data.nodes.filter(function (n) { return !graph.hasNode(n.key); });
    var centre = around && graph.hasNode(around) ? graph.getNodeAttributes(around) : null;
    data.nodes.forEach(function (n) {
      labelNames[n.label] = n.label_zh;
      var attrs = {
        label: n.name, kind: n.label, kindZh: n.label_zh, ref: n.id,
        color: n.color, size: n.label === 'IndustryChain' ? 10 : (n.label === 'ChainSegment' ? 8 : 5),
        statusZh: n.status_zh || '', details: n.details || null,
      };
      if (graph.hasNode(n.key)) {
        if (n.details) { graph.setNodeAttribute(n.key, 'details', n.details); }
        return;
      }
      if (typeof n.x === 'number' && !centre) { attrs.x = n.x; attrs.y = n.y; } else {
        var i = placed++;
        var r = 3 + Math.sqrt(newKeys.length) * 1.5;
        var a = (2 * Math.PI * i) / Math.max(1, newKeys.length);
        var cx = centre ? centre.x : 0, cy = centre ? centre.y : 0;
        attrs.x = cx + r * Math.cos(a); attrs.y = cy + r * Math.sin(a);
      }
      graph.addNode(n.key, attrs);
    });
    data.edges.forEach(function (e) {
      relNames[e.rel] = e.rel_zh;
      var key = e.source + '|' + e.rel + '|' + e.target;
      if (!graph.hasEdge(key) && graph.hasNode(e.source) && graph.hasNode(e.target)) {
        graph.addEdgeWithKey(key, e.source, e.target, { rel: e.rel, relZh: e.rel_zh, props: e.props, size: 1, color: '#aab4be', type: edgeType() });
      }
    });
    if (graph.size > BIG) {
      graph.forEachEdge(function (edge, attrs) { if (attrs.type !== 'line') { graph.setEdgeAttribute(edge, 'type', 'line'); } });
      renderer.setSetting('labelRenderedSizeThreshold', 9);
    }
    buildFilters();
    say(t('图中', 'On screen: ') + graph.order + t(' 个节点，', ' nodes, ') + graph.size + t(' 条关系', ' relationships') + (data.notes && data.notes.length ? ' · ' + data.notes.join('；') : ''));
  }

  function buildFilters() {
    var labels = {}, rels = {};
    graph.forEachNode(function (k, a) { labels[a.kind] = (labels[a.kind] || 0) + 1; });
    graph.forEachEdge(function (k, a) { rels[a.rel] = (rels[a.rel] || 0) + 1; });
    fill(document.getElementById('label-filters'), labels, labelNames, hiddenLabels, 'label');
    fill(document.getElementById('rel-filters'), rels, relNames, hiddenRels, 'rel');
  }

  function fill(box, counts, names, hidden, kind) {
    box.textContent = '';
    Object.keys(counts).sort().forEach(function (key) {
      var label = document.createElement('label');
      var input = document.createElement('input');
      input.type = 'checkbox'; input.checked = !hidden[key]; input.dataset[kind] = key;
      input.addEventListener('change', function () { hidden[key] = !input.checked; renderer.refresh(); });
      label.appendChild(input);
      label.appendChild(document.createTextNode(' ' + (names[key] || key) + '（' + counts[key] + '）'));
      box.appendChild(label);
    });
  }

  function reset() { graph.clear(); selected = null; neighbours = null; }

  function load(url, opts) {
    opts = opts || {};
    say(t('正在载入…', 'Loading…'));
    return CJ.getJSON(url).then(function (data) {
      if (!opts.keep) { reset(); }
      addData(data, opts.around);
      if (data.centre) { select(data.centre, data); }
      if (!opts.keep) { renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 }); }
      if (opts.then) { opts.then(data); }
      return data;
    }).catch(function (err) { say(err.message); });
  }

  function select(key, data) {
    selected = key;
    neighbours = {};
    graph.forEachNeighbor(key, function (n) { neighbours[n] = true; });
    showDetails(key);
    renderer.refresh();
  }

  function showDetails(key) {
    var a = graph.getNodeAttributes(key);
    details.textContent = '';
    var h = document.createElement('h3');
    h.textContent = a.kindZh + '：' + a.label;
    var id = document.createElement('p');
    id.className = 'muted'; id.textContent = t('编号 ', 'id ') + a.ref;
    details.appendChild(h); details.appendChild(id);
    var table = document.createElement('table');
    (a.details || []).forEach(function (row) {
      var tr = document.createElement('tr');
      var th = document.createElement('th'); th.textContent = row[0];
      var td = document.createElement('td'); td.textContent = row[1];
      tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
    });
    details.appendChild(table);
    var list = document.createElement('ul');
    list.className = 'plain neighbours';
    graph.forEachEdge(key, function (edge, attrs, source, target) {
      var other = source === key ? target : source;
      var o = graph.getNodeAttributes(other);
      var li = document.createElement('li');
      li.textContent = (source === key ? '→ ' : '← ') + attrs.relZh + '：' + o.kindZh + ' ' + o.label + (attrs.props ? '（' + attrs.props + '）' : '');
      list.appendChild(li);
    });
    details.appendChild(list);
  }

  function expand(key) {
    return load('/api/v1/graph/node?key=' + encodeURIComponent(key), { keep: true, around: key });
  }
  window.chanjiaoExplorer.expand = expand;
  window.chanjiaoExplorer.load = load;

  renderer.on('clickNode', function (e) { expand(e.node); });
  renderer.on('clickStage', function () { selected = null; neighbours = null; renderer.refresh(); });
  renderer.on('enterNode', function (e) {
    var a = graph.getNodeAttributes(e.node);
    tooltip.textContent = a.kindZh + '：' + a.label + '（' + a.ref + '）' + (a.statusZh ? ' · ' + a.statusZh : '');
    tooltip.hidden = false;
  });
  renderer.on('leaveNode', function () { tooltip.hidden = true; });
  container.addEventListener('mousemove', function (ev) {
    var box = container.getBoundingClientRect();
    tooltip.style.left = (ev.clientX - box.left + 14) + 'px';
    tooltip.style.top = (ev.clientY - box.top + 14) + 'px';
  });

  // search
  var search = document.getElementById('node-search');
  var results = document.getElementById('search-results');
  var timer = null;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    var q = search.value.trim();
    if (!q) { results.textContent = ''; return; }
    timer = setTimeout(function () {
      CJ.getJSON('/api/v1/graph/search?q=' + encodeURIComponent(q)).then(function (items) {
        results.textContent = '';
        items.forEach(function (item) {
          var li = document.createElement('li');
          var b = document.createElement('button');
          b.type = 'button'; b.className = 'result'; b.dataset.key = item.key;
          b.textContent = item.label_zh + '：' + item.name + '（' + item.id + '）';
          b.addEventListener('click', function () {
            load('/api/v1/graph/node?key=' + encodeURIComponent(item.key));
          });
          li.appendChild(b); results.appendChild(li);
        });
        if (!items.length) { var li = document.createElement('li'); li.className = 'muted'; li.textContent = t('没有找到', 'nothing found'); results.appendChild(li); }
      }).catch(function (err) { say(err.message); });
    }, 120);
  });

  var cluster = root.dataset.cluster, chain = root.dataset.chain;
  var gapSelect = document.getElementById('focus-gap');
  var pathSelect = document.getElementById('focus-path');
  gapSelect.addEventListener('change', function () {
    if (gapSelect.value) { load('/api/v1/graph/gap?' + CJ.query({ cluster: cluster, chain: chain, ability: gapSelect.value })); }
  });
  pathSelect.addEventListener('change', function () {
    if (pathSelect.value) { load('/api/v1/graph/path?' + CJ.query({ cluster: cluster, position: pathSelect.value })); }
  });

  function fillFocus(data) {
    data.nodes.forEach(function (n) {
      var opt;
      if (n.label === 'Ability' && n.status && n.status !== 'covered') {
        opt = document.createElement('option'); opt.value = n.id; opt.textContent = n.name + '（' + n.status_zh + '）';
        gapSelect.appendChild(opt);
      } else if (n.label === 'Position') {
        opt = document.createElement('option'); opt.value = n.id; opt.textContent = n.name;
        pathSelect.appendChild(opt);
      }
    });
  }

  var layeredUrl = '/api/v1/graph/layered?' + CJ.query({ cluster: cluster, chain: chain });
  if (root.dataset.node) {
    load('/api/v1/graph/node?key=' + encodeURIComponent(root.dataset.node));
    CJ.getJSON(layeredUrl).then(fillFocus);
  } else if (root.dataset.gap) {
    load('/api/v1/graph/gap?' + CJ.query({ cluster: cluster, chain: chain, ability: root.dataset.gap }));
    CJ.getJSON(layeredUrl).then(fillFocus);
  } else if (root.dataset.path) {
    load('/api/v1/graph/path?' + CJ.query({ cluster: cluster, position: root.dataset.path }));
    CJ.getJSON(layeredUrl).then(fillFocus);
  } else {
    load(layeredUrl, { then: fillFocus });
  }
})();
