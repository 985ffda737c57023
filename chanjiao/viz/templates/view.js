// Draws every .cj-view section of the page with vis-network. User data reaches the page
// only through JSON.parse and textContent/innerText, never as markup.
(function () {
  "use strict";
  window.chanjiaoViews = [];
  var sections = document.querySelectorAll("section.cj-view");
  Array.prototype.forEach.call(sections, function (section) {
    var data = JSON.parse(section.querySelector("script.cj-data").textContent);
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var container = section.querySelector(".cj-canvas");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    var status = section.querySelector(".cj-status");
    var details = section.querySelector(".cj-details");
    var results = section.querySelector(".cj-results");
    var search = section.querySelector(".cj-search");
    window.chanjiaoViews.push({ network: network, nodes: nodes, edges: edges, section: section });

    network.once("afterDrawing", function () {
      status.setAttribute("data-nodes", String(nodes.length));
      status.setAttribute("data-edges", String(edges.length));
      status.setAttribute("data-drawn", "1");
    });
    network.once("afterDrawing", function () {
      network.fit({ animation: false });
    });

    function show(id) {
      var node = nodes.get(id);
      if (!node) { return; }
      network.selectNodes([id]);
      network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
      details.textContent = node.title;
    }
    network.on("selectNode", function (event) {
      var node = nodes.get(event.nodes[0]);
      if (node) { details.textContent = node.title; }
    });

    function matches(query) {
      var q = query.trim().toLowerCase();
      if (!q) { return []; }
      return nodes.get({
        filter: function (n) {
          return (n.name + " " + n.ref).toLowerCase().indexOf(q) !== -1;
        }
      }).slice(0, 30);
    }
    search.addEventListener("input", function () {
      while (results.firstChild) { results.removeChild(results.firstChild); }
      matches(search.value).forEach(function (n) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = n.name + "（" + n.ref + "）";
        button.addEventListener("click", function () { show(n.id); });
        item.appendChild(button);
        results.appendChild(item);
      });
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        var found = matches(search.value);
        if (found.length) { show(found[0].id); }
      }
    });
  });
})();
