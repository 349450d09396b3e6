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

  const BACKBONE = 3;
  const MAX_INNER = 200;
  const MAX_OUTER = 1200;

  /* The network drawing. By default one node per country (size: its actors in the selection,
   * colour: continent) and the heaviest country pairs (width: ties between them); focus(c) drills
   * down to country c's actors (inner ring, by ties) and their partners (outer ring, grouped by
   * country). show(sel) redraws for the selected tie indices (null: all). Country positions come
   * from the server's seeded layout; the drill-down rings are computed here. */
  function mountNetwork(container, data, legendEl, noteEl) {
    const N = data.nodes, T = data.ties, C = data.country_nodes;
    const nActors = N.id.length, nCountries = data.countries.length;
    const allTies = Array.from({ length: T.s.length }, (_, i) => i);
    let maxB = 0;
    for (const b of N.betweenness) maxB = Math.max(maxB, b);
    const graph = new graphology.Graph({ type: "undirected", multi: false });
    const state = { sel: null, focus: null, found: null, colour: "continent", listeners: [] };
    const renderer = new Sigma(graph, container, {
      labelRenderedSizeThreshold: 5,
      zIndex: true,
      nodeReducer: function (node, attrs) {
        if (state.found === null) return attrs;
        if (node === state.found) return Object.assign({}, attrs, { highlighted: true, zIndex: 2, size: attrs.size + 4 });
        return Object.assign({}, attrs, { color: "#dde2e8", label: "" });
      },
    });
    renderer.on("clickNode", function (e) {
      const a = graph.getNodeAttributes(e.node);
      if (a.country !== undefined && state.focus === null) focus(a.country);
    });

    function note(text) { if (noteEl) noteEl.textContent = text; }

    function drawCountries(sel) {
      const actors = new Int32Array(nCountries), seen = new Uint8Array(nActors);
      for (const i of sel) { seen[T.s[i]] = 1; seen[T.t[i]] = 1; }
      for (let v = 0; v < nActors; v++) if (seen[v]) actors[N.country[v]]++;
      const pairs = new Map();
      for (const i of sel) {
        const a = N.country[T.s[i]], b = N.country[T.t[i]];
        if (a === b || data.countries[a] === "(unknown)" || data.countries[b] === "(unknown)") continue;
        const key = a < b ? a + "-" + b : b + "-" + a;
        pairs.set(key, (pairs.get(key) || 0) + 1);
      }
      let maxA = 1;
      for (const x of actors) maxA = Math.max(maxA, x);
      for (let c = 0; c < nCountries; c++) {
        if (!actors[c] || data.countries[c] === "(unknown)") continue;
        graph.addNode("c" + c, {
          x: C.x[c], y: -C.y[c], size: 3 + 16 * Math.sqrt(actors[c] / maxA),
          label: C.name[c], country: c, continent: C.continent[c], actors: actors[c], color: OTHER,
        });
      }
      // the backbone: each country's BACKBONE heaviest partners (as the server's layout uses)
      const byCountry = new Map();
      for (const [key, w] of pairs) {
        for (const c of key.split("-")) {
          if (!byCountry.has(c)) byCountry.set(c, []);
          byCountry.get(c).push([key, w]);
        }
      }
      const kept = new Map();
      for (const list of byCountry.values()) {
        list.sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : 1));
        for (const [key, w] of list.slice(0, BACKBONE)) kept.set(key, w);
      }
      const drawn = [...kept.entries()];
      let maxW = 1;
      for (const [, w] of drawn) maxW = Math.max(maxW, w);
      for (const [key, w] of drawn) {
        const [a, b] = key.split("-");
        graph.addEdge("c" + a, "c" + b, { size: 0.4 + 5 * Math.sqrt(w / maxW), color: "#aeb8c4", weight: w });
      }
      const heavy = [...pairs.keys()];
      note("Country-level network: " + graph.order.toLocaleString("en-US") + " countries (size: actors with a tie in the selection), " +
        (drawn.length < heavy.length ? drawn.length.toLocaleString("en-US") + " of " + heavy.length.toLocaleString("en-US") + " country pairs: each country's " + BACKBONE + " heaviest" : "all " + heavy.length.toLocaleString("en-US") + " country pairs") +
        " (width: ties between them; ties inside a country are not drawn). Click a country or choose it under Drill down to see its actors.");
    }

    function drawActors(sel, c) {
      const ties = new Map(), partnersOf = new Map();
      for (const i of sel) {
        const s = T.s[i], t = T.t[i];
        for (const [v, u] of [[s, t], [t, s]]) {
          if (N.country[v] !== c) continue;
          ties.set(v, (ties.get(v) || 0) + 1);
          if (!partnersOf.has(v)) partnersOf.set(v, new Set());
          partnersOf.get(v).add(u);
        }
      }
      const inner = [...ties.keys()].sort((a, b) => ties.get(b) - ties.get(a) || a - b).slice(0, MAX_INNER);
      const innerSet = new Set(inner);
      const outerCount = new Map();
      for (const v of inner) for (const u of partnersOf.get(v)) if (!innerSet.has(u)) outerCount.set(u, (outerCount.get(u) || 0) + 1);
      let outer = [...outerCount.keys()].sort((a, b) => outerCount.get(b) - outerCount.get(a) || a - b).slice(0, MAX_OUTER);
      outer.sort((a, b) => (data.countries[N.country[a]] < data.countries[N.country[b]] ? -1 : data.countries[N.country[a]] > data.countries[N.country[b]] ? 1 : a - b));
      const place = (list, radius) => list.forEach((v, k) => {
        const angle = (2 * Math.PI * k) / Math.max(1, list.length);
        const b = maxB > 0 ? N.betweenness[v] / maxB : 0;
        graph.addNode("a" + v, {
          x: radius * Math.cos(angle), y: radius * Math.sin(angle), size: 2.5 + 12 * Math.sqrt(b),
          label: N.label[v], actor: v, color: OTHER,
        });
      });
      place(inner, 40);
      place(outer, 100);
      let edges = 0;
      for (const i of sel) {
        if (!innerSet.has(T.s[i]) && !innerSet.has(T.t[i])) continue;
        const a = "a" + T.s[i], b = "a" + T.t[i];
        if (a === b || !graph.hasNode(a) || !graph.hasNode(b) || graph.hasEdge(a, b)) continue;
        graph.addEdge(a, b, { size: 0.5, color: "#c5ccd6" });
        edges++;
      }
      const capped = ties.size > inner.length || outerCount.size > outer.length;
      note("Actors of " + C.name[c] + " (inner ring, " + inner.length.toLocaleString("en-US") + (ties.size > inner.length ? " with the most ties of " + ties.size.toLocaleString("en-US") : "") +
        ") and their partners (outer ring, grouped by country, " + outer.length.toLocaleString("en-US") + (outerCount.size > outer.length ? " of " + outerCount.size.toLocaleString("en-US") : "") + "); " +
        edges.toLocaleString("en-US") + " pairs with an actor of " + C.name[c] + " drawn. Node size: betweenness in the whole view." + (capped ? " Filter by track or period to see the rest." : ""));
    }

    function draw() {
      graph.clear();
      const sel = state.sel || allTies;
      if (state.focus === null) drawCountries(sel); else drawActors(sel, state.focus);
      paint();
      renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
      renderer.refresh();
      for (const f of state.listeners) f(state.focus);
    }

    function paint() {
      const codeOf = (attrs) => {
        if (attrs.actor === undefined) return state.colour === "country" ? attrs.country : attrs.continent;
        const v = attrs.actor;
        if (state.colour === "type") return N.type[v];
        if (state.colour === "continent") return C.continent[N.country[v]];
        return N.country[v];
      };
      const labels = state.focus === null
        ? (state.colour === "country" ? data.countries : data.continents)
        : (state.colour === "type" ? data.types : state.colour === "continent" ? data.continents : data.countries);
      const codes = [];
      graph.forEachNode((node, attrs) => codes.push(codeOf(attrs)));
      const cm = colourMap(labels, codes);
      graph.forEachNode((node, attrs) => graph.setNodeAttribute(node, "color", cm.colour.get(codeOf(attrs)) || OTHER));
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
    }

    function colourBy(what) { state.colour = what; paint(); renderer.refresh(); }

    function show(sel) { state.sel = sel; state.found = null; draw(); }

    function focus(c) {
      state.focus = c === null || c === undefined || c === "" ? null : Number(c);
      state.found = null;
      draw();
    }

    function search(text) {
      const q = (text || "").trim().toLowerCase();
      state.found = null;
      if (!q) { renderer.refresh(); return null; }
      const seen = new Uint8Array(nActors);
      for (const i of (state.sel || allTies)) { seen[T.s[i]] = 1; seen[T.t[i]] = 1; }
      let hit = null;
      for (let v = 0; v < nActors; v++) {
        if (!seen[v]) continue;
        if (N.label[v].toLowerCase().includes(q) || N.id[v].toLowerCase() === q) { hit = v; break; }
      }
      if (hit === null) { renderer.refresh(); return null; }
      if (state.focus !== N.country[hit]) focus(N.country[hit]);
      if (!graph.hasNode("a" + hit)) { graph.addNode("a" + hit, { x: 0, y: 0, size: 6, label: N.label[hit], actor: hit, color: "#1d2733" }); }
      state.found = "a" + hit;
      renderer.refresh();
      const pos = renderer.getNodeDisplayData(state.found);
      if (pos) renderer.getCamera().animate({ x: pos.x, y: pos.y, ratio: 0.35 }, { duration: 400 });
      return N.label[hit];
    }

    function onFocus(f) { state.listeners.push(f); }

    draw();
    return {
      renderer: renderer, graph: graph, colourBy: colourBy, show: show, focus: focus, search: search,
      onFocus: onFocus, mode: () => (state.focus === null ? "countries" : "actors"),
    };
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

  /* Chart.js configuration of the timeline (nodes and edges on the left axis, density on the
   * right) for rows {period, nodes, edges, density}; the report and the dashboard both draw it. */
  function timelineChart(rows, pointRadius, extra) {
    const line = (key, colour, axis) =>
      ({ label: key, data: rows.map((r) => r[key]), borderColor: colour, pointRadius: pointRadius, yAxisID: axis });
    return {
      type: "line",
      data: {
        labels: rows.map((r) => r.period),
        datasets: [line("nodes", "#1f6feb", "y"), line("edges", "#2ca02c", "y"), line("density", "#d62728", "y1")],
      },
      options: Object.assign({
        scales: {
          y: { position: "left", title: { display: true, text: "nodes, edges" } },
          y1: { position: "right", title: { display: true, text: "density" }, grid: { drawOnChartArea: false } },
        },
      }, extra || {}),
    };
  }

  function setStat(root, key, value, digits) {
    for (const el of root.querySelectorAll('[data-stat="' + key + '"]')) {
      el.textContent = fmt(value, digits);
      el.dataset.value = String(value);
    }
  }

  global.CivnetView = {
    fmt: fmt, selectTies: selectTies, summary: summary, mountNetwork: mountNetwork,
    options: options, setStat: setStat, PALETTE: PALETTE, timelineChart: timelineChart,
  };
})(window);
