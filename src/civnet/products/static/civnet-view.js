/* civnet view: filters, counts and the network drawing shared by the report and the dashboard.
 *
 * The counts follow civnet's view rules (civnet.views.spec): a period keeps dated ties with
 * start <= end of period and (no end or end >= start of period); a track keeps ties of that
 * track; a country keeps ties with at least one end in it; actor types keep ties whose two ends
 * are both of those types. Nodes are the ends of the kept ties; parallel ties count once; the
 * view is directed when a kept tie is directed (an undirected tie is then two opposite arcs).
 */
(function (global) {
  "use strict";

  const PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939", "#843c39",
  ];
  const OTHER = "#9aa5b1";

  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return "\u2014";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (Number.isInteger(v) && digits === undefined) return v.toLocaleString("en-US");
    const d = digits === undefined ? 4 : digits;
    if (v !== 0 && Math.abs(v) < 1e-3) return pyPrecision(v, d);
    return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  /* Python's f"{v:.4g}" for small numbers (e.g. 0.0001234 -> 0.0001234, 1.2e-05 -> 1.2e-05). */
  function pyPrecision(v, d) {
    const exp = Math.floor(Math.log10(Math.abs(v)));
    if (exp < -4) {
      let m = (v / Math.pow(10, exp)).toPrecision(d);
      m = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
      const e = -exp;
      return m + "e-" + (e < 10 ? "0" + e : String(e));
    }
    let s = v.toPrecision(d);
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }

  function selectTies(data, f) {
    const T = data.ties, N = data.nodes;
    const lo = f.from ? f.from + "-01-01" : null;
    const hi = f.to ? f.to + "-12-31" : null;
    const period = lo !== null || hi !== null;
    const out = [];
    for (let i = 0; i < T.s.length; i++) {
      if (f.tracks && !f.tracks.has(T.track[i])) continue;
      if (period) {
        const st = T.start[i];
        if (st === null) continue;
        if (hi !== null && st > hi) continue;
        const en = T.end[i];
        if (lo !== null && en !== null && en < lo) continue;
      }
      if (f.countries && !f.countries.has(N.country[T.s[i]]) && !f.countries.has(N.country[T.t[i]])) continue;
      if (f.types && (!f.types.has(N.type[T.s[i]]) || !f.types.has(N.type[T.t[i]]))) continue;
      out.push(i);
    }
    return out;
  }

  function pairKeys(data, sel) {
    const T = data.ties;
    let directed = false;
    for (const i of sel) if (T.directed[i]) { directed = true; break; }
    const keys = new Set();
    for (const i of sel) {
      const s = T.s[i], t = T.t[i];
      if (directed) {
        keys.add(s + "-" + t);
        if (!T.directed[i]) keys.add(t + "-" + s);
      } else {
        keys.add(s < t ? s + "-" + t : t + "-" + s);
      }
    }
    return { keys: keys, directed: directed };
  }

  function summary(data, sel) {
    const n = data.nodes.id.length, T = data.ties, N = data.nodes;
    const seen = new Uint8Array(n);
    for (const i of sel) { seen[T.s[i]] = 1; seen[T.t[i]] = 1; }
    const pk = pairKeys(data, sel);
    let nodes = 0;
    const countries = new Set();
    for (let v = 0; v < n; v++) {
      if (!seen[v]) continue;
      nodes++;
      const c = data.countries[N.country[v]];
      if (c !== "(unknown)") countries.add(c);
    }
    const parent = new Int32Array(n).map((_, i) => i);
    const find = (x) => { while (parent[x] !== x) { parent[x] = parent[parent[x]]; x = parent[x]; } return x; };
    for (const i of sel) { const a = find(T.s[i]), b = find(T.t[i]); if (a !== b) parent[a] = b; }
    const sizes = new Map();
    for (let v = 0; v < n; v++) if (seen[v]) { const r = find(v); sizes.set(r, (sizes.get(r) || 0) + 1); }
    let largest = 0;
    for (const s of sizes.values()) largest = Math.max(largest, s);
    // connected pairs: unordered, whatever the direction of their ties (docs/views.md)
    const unordered = new Set();
    for (const k of pk.keys) {
      const [a, b] = k.split("-").map(Number);
      unordered.add(a < b ? a + "-" + b : b + "-" + a);
    }
    const m = unordered.size;
    const density = nodes < 2 ? 0 : 2 * m / (nodes * (nodes - 1));
    return {
      nodes: nodes, edges: m, ties: sel.length, density: density, directed: pk.directed,
      components: sizes.size, largest_component: largest, countries: countries.size,
      visible: seen, pairs: pk.keys,
    };
  }

  function colourMap(labels, codes) {
    const counts = new Map();
    for (const c of codes) counts.set(c, (counts.get(c) || 0) + 1);
    const order = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || a - b);
    const colour = new Map();
    order.forEach((c, k) => colour.set(c, k < PALETTE.length && labels[c] !== "(unknown)" ? PALETTE[k] : OTHER));
    const legend = order.slice(0, PALETTE.length).filter((c) => labels[c] !== "(unknown)")
      .map((c) => ({ label: labels[c], colour: colour.get(c), count: counts.get(c) }));
    if (order.length > legend.length) legend.push({ label: "other", colour: OTHER, count: null });
    return { colour: colour, legend: legend };
  }

  function mountNetwork(container, data, legendEl) {
    const N = data.nodes, E = data.edges;
    const graph = new graphology.Graph({ type: data.directed_view ? "directed" : "undirected", multi: false });
    let maxB = 0;
    for (const b of N.betweenness) maxB = Math.max(maxB, b);
    const n = N.id.length;
    const small = n > 5000 ? 1.2 : 2.5;
    for (let v = 0; v < n; v++) {
      const b = maxB > 0 ? N.betweenness[v] / maxB : 0;
      graph.addNode(String(v), {
        x: N.x[v], y: -N.y[v], size: small + 14 * Math.sqrt(b), label: N.label[v], color: OTHER,
      });
    }
    let maxW = 1;
    for (const w of E.weight) maxW = Math.max(maxW, w);
    for (let k = 0; k < E.s.length; k++) {
      graph.addEdgeWithKey(E.s[k] + "-" + E.t[k], String(E.s[k]), String(E.t[k]), {
        size: 0.4 + 2.2 * Math.sqrt(E.weight[k] / maxW), color: "#c5ccd6",
      });
    }
    const state = { visible: null, pairs: null, found: null, colours: null };
    const renderer = new Sigma(graph, container, {
      labelRenderedSizeThreshold: n > 2000 ? 10 : 6,
      hideEdgesOnMove: E.s.length > 20000,
      zIndex: true,
      nodeReducer: function (node, attrs) {
        const v = Number(node);
        const out = Object.assign({}, attrs);
        if (state.colours) out.color = state.colours.get(state.codes[v]) || OTHER;
        if (state.visible && !state.visible[v]) out.hidden = true;
        if (state.found !== null) {
          if (v === state.found) { out.highlighted = true; out.zIndex = 2; out.size = attrs.size + 4; }
          else out.color = "#dde2e8";
        }
        return out;
      },
      edgeReducer: function (edge, attrs) {
        if (state.pairs && !state.pairs.has(edge)) return Object.assign({}, attrs, { hidden: true });
        return attrs;
      },
    });

    function colourBy(what) {
      const codes = what === "type" ? N.type : N.country;
      const labels = what === "type" ? data.types : data.countries;
      const cm = colourMap(labels, codes);
      state.codes = codes;
      state.colours = cm.colour;
      if (legendEl) {
        legendEl.textContent = "";
        for (const item of cm.legend) {
          const span = document.createElement("span");
          const dot = document.createElement("i");
          dot.style.background = item.colour;
          span.appendChild(dot);
          span.appendChild(document.createTextNode(item.label + (item.count ? " (" + item.count.toLocaleString("en-US") + ")" : "")));
          legendEl.appendChild(span);
        }
      }
      renderer.refresh();
    }

    function show(visible, pairs) {
      state.visible = visible;
      state.pairs = pairs;
      renderer.refresh();
    }

    function search(text) {
      const q = (text || "").trim().toLowerCase();
      state.found = null;
      if (q) {
        for (let v = 0; v < n; v++) {
          if (state.visible && !state.visible[v]) continue;
          if (N.label[v].toLowerCase().includes(q) || N.id[v].toLowerCase() === q) { state.found = v; break; }
        }
      }
      renderer.refresh();
      if (state.found !== null) {
        const pos = renderer.getNodeDisplayData(String(state.found));
        if (pos) renderer.getCamera().animate({ x: pos.x, y: pos.y, ratio: 0.25 }, { duration: 400 });
      } else {
        renderer.getCamera().animatedReset({ duration: 300 });
      }
      return state.found === null ? null : N.label[state.found];
    }

    colourBy("country");
    return { renderer: renderer, graph: graph, colourBy: colourBy, show: show, search: search };
  }

  function options(select, items, allLabel) {
    select.textContent = "";
    if (allLabel !== null) {
      const o = document.createElement("option");
      o.value = "";
      o.textContent = allLabel;
      select.appendChild(o);
    }
    for (const it of items) {
      const o = document.createElement("option");
      o.value = it.value;
      o.textContent = it.label;
      select.appendChild(o);
    }
  }

  function setStat(root, key, value, digits) {
    for (const el of root.querySelectorAll('[data-stat="' + key + '"]')) {
      el.textContent = fmt(value, digits);
      el.dataset.value = String(value);
    }
  }

  global.CivnetView = {
    fmt: fmt, selectTies: selectTies, summary: summary, mountNetwork: mountNetwork,
    options: options, setStat: setStat, PALETTE: PALETTE,
  };
})(window);
