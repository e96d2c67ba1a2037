// lcagraph viewer: unfold a contributor in place through GraphQL (POST /graphql).
// Plain, dependency-free ES2017; the page is complete without it.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !window.fetch) { return; }
  var cfg = main.dataset;
  // a published version's page shows frozen figures: unfolding would mix in live ones
  if (cfg.frozen) { return; }
  var nodeTotal = parseFloat(cfg.nodeTotal);

  // One level below the node at `path` (from the model root); same expansion as the page.
  var QUERY = "query Unfold($processId: ID!, $path: [ID!]!, $method: ID, $amount: Float) {" +
    " upstream(processId: $processId, path: $path, method: $method, amount: $amount, depth: 1," +
    " cutoff: 0.001, maxNodes: 61) {" +
    " __typename ... on TreeNode { children { processId name databaseId database { name } amount unit" +
    " direct total crossesDatabase loop childCount unlinkedCount restCount path } }" +
    " ... on Problem { message } } }";

  var SUP = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

  // Same rule as api/viewer/render.py fmt_number: 4 significant digits.
  function fmtNumber(x) {
    if (x === 0) { return "0"; }
    if (!isFinite(x)) { return String(x); }
    var exp = Math.floor(Math.log10(Math.abs(x)));
    if (exp >= -3 && exp < 6) {
      var text = x.toFixed(Math.max(0, 3 - exp));
      if (text.indexOf(".") >= 0) { text = text.replace(/0+$/, "").replace(/\.$/, ""); }
      return (text === "-0" || text === "") ? "0" : text.replace("-", "−");
    }
    var parts = x.toExponential(3).split("e");
    var mantissa = parts[0].replace(/0+$/, "").replace(/\.$/, "");
    var sup = String(parseInt(parts[1], 10)).split("").map(function (c) { return SUP[c]; }).join("");
    return (mantissa + "×10" + sup).replace("-", "−");
  }

  function fmtShare(part, whole) {
    if (whole === 0) { return "–"; }
    var pct = 100 * part / whole;
    if (pct !== 0 && Math.abs(pct) < 0.05) { return pct > 0 ? "<0.1 %" : ">−0.1 %"; }
    return (pct.toFixed(1) + " %").replace("-", "−");
  }

  // As api/links.py deep_link builds them (query values form-encoded, "/" kept).
  function enc(text) { return encodeURIComponent(text).replace(/%2F/g, "/").replace(/%20/g, "+"); }

  function deepLink(processId, path) {
    var q = ["path=" + path.map(function (p) { return enc(p).replace(/\//g, "%2F"); }).join("/")];
    if (cfg.amount) { q.push("amount=" + enc(cfg.amount)); }
    if (cfg.method) { q.push("method=" + enc(cfg.method)); }
    return cfg.base + "/n/" + encodeURIComponent(processId) + "?" + q.join("&");
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function valueSpan(x) {
    var span = el("span", "value", fmtNumber(x));
    span.setAttribute("data-value", String(x));
    return span;
  }

  function whatCell(c) {
    var what = el("div", "what");
    var dbName = c.database ? c.database.name : (c.databaseId || "");
    if (c.processId) {
      var a = el("a", "name", c.name);
      a.href = deepLink(c.processId, c.path);
      what.appendChild(a);
    } else {
      what.appendChild(document.createTextNode(c.name));
    }
    if (c.loop) { what.appendChild(el("span", "flag", "loop")); }
    if (c.unlinkedCount > 0) {  // its own inputs without a provider count 0 (the server page says the same)
      what.appendChild(el("span", "flag unlinked",
        c.unlinkedCount + (c.unlinkedCount === 1 ? " input" : " inputs") + " not linked"));
    }
    what.appendChild(el("span", "db", dbName));
    if (c.crossesDatabase && c.processId) {
      var jump = el("a", "jump", "Jump to " + dbName + " →");
      jump.href = deepLink(c.processId, c.path);
      what.appendChild(jump);
    }
    return what;
  }

  function row(c) {
    var li = el("li", "node");
    li.setAttribute("data-process", c.processId || "");
    li.setAttribute("data-path", c.path.join("/"));
    var div = el("div", "row");
    if (c.processId && c.childCount > 0 && !c.loop) {
      var b = el("button", "unfold", "+");
      b.type = "button";
      b.setAttribute("aria-expanded", "false");
      b.setAttribute("aria-label", "Unfold " + c.name);
      div.appendChild(b);
    } else {
      var leaf = el("span", "leaf");
      leaf.setAttribute("aria-hidden", "true");
      div.appendChild(leaf);
    }
    div.appendChild(whatCell(c));
    var num = el("div", "num");
    num.appendChild(valueSpan(c.total));
    num.appendChild(el("span", "share", fmtShare(c.total, nodeTotal)));
    div.appendChild(num);
    var bar = el("div", c.total < 0 ? "bar neg" : "bar");
    bar.setAttribute("aria-hidden", "true");
    var fill = el("span");
    var width = nodeTotal === 0 ? 0 : Math.min(100, 100 * Math.abs(c.total) / Math.abs(nodeTotal));
    fill.style.width = width.toFixed(1) + "%";
    bar.appendChild(fill);
    div.appendChild(bar);
    li.appendChild(div);
    return li;
  }

  function fetchChildren(path) {
    var variables = { processId: cfg.root, path: path, method: cfg.category || null,
      amount: cfg.amount ? parseFloat(cfg.amount) : null };
    return fetch(cfg.graphql, {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ query: QUERY, variables: variables })
    }).then(function (r) {
      if (!r.ok) { throw new Error("the server answered " + r.status); }
      return r.json();
    }).then(function (body) {
      if (body.errors && body.errors.length) { throw new Error(body.errors[0].message); }
      var up = body.data.upstream;
      if (up.__typename !== "TreeNode") { throw new Error(up.message || up.__typename); }
      return up.children;
    });
  }

  function unfold(button) {
    var li = button.closest("li.node");
    var open = button.getAttribute("aria-expanded") === "true";
    var list = li.querySelector(":scope > ol");
    if (list) {
      list.hidden = open;
      button.setAttribute("aria-expanded", open ? "false" : "true");
      button.textContent = open ? "+" : "−";
      return;
    }
    button.setAttribute("aria-busy", "true");
    fetchChildren(li.getAttribute("data-path").split("/")).then(function (children) {
      var ol = el("ol");
      ol.setAttribute("aria-label", "Providers of " + button.getAttribute("aria-label").slice(7));
      children.forEach(function (c) { ol.appendChild(row(c)); });
      li.appendChild(ol);
      button.setAttribute("aria-expanded", "true");
      button.textContent = "−";
    }).catch(function (err) {
      var msg = el("p", "error", "Could not unfold: " + err.message);
      msg.setAttribute("role", "alert");
      li.appendChild(msg);
    }).then(function () { button.removeAttribute("aria-busy"); });
  }

  main.addEventListener("click", function (ev) {
    var button = ev.target.closest("button.unfold");
    if (button && !button.hasAttribute("aria-busy")) { unfold(button); }
  });
}());
