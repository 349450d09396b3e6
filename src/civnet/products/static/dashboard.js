/* The dashboard: numbers from the JSON API for the chosen filters; slow measures run as jobs
 * whose progress is shown. The network is laid out by the server for the filtered view (the
 * country-level network, re-laid out at every change of the filters), with drill-down to the
 * actors of one country. Timeline, brokerage and scorecard follow the filters too. */
(function () {
  "use strict";
  const V = window.CivnetView;
  const $ = (id) => document.getElementById(id);
  const SCORECARD_ROWS = 15;
  let generation = 0;
  let net = null;
  let meta = null;
  const charts = {};

  async function getJSON(url, options) {
    const r = await fetch(url, options);
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || body.detail || r.statusText);
    return body;
  }

  async function runJob(path, query, bar, status) {
    let job = await getJSON(path + (query ? "?" + query : ""), { method: "POST" });
    while (job.status === "queued" || job.status === "running") {
      const pct = job.total ? Math.round((100 * job.done) / job.total) : 5;
      bar.style.width = pct + "%";
      status.textContent = (job.stage || job.name) + (job.total ? " " + job.done + " / " + job.total : "") + " \u2026";
      await new Promise((res) => setTimeout(res, 250));
      job = await getJSON("/api/jobs/" + job.id);
    }
    if (job.status === "error") throw new Error(job.error);
    bar.style.width = "100%";
    status.textContent = job.name + " done in " + job.seconds.toFixed(2) + " s";
    return job.result;
  }

  function query() {
    const q = new URLSearchParams();
    if ($("f-track").value) q.append("track", $("f-track").value);
    if ($("f-from").value) q.append("from", $("f-from").value);
    if ($("f-to").value) q.append("to", $("f-to").value);
    if ($("f-country").value) q.append("country", $("f-country").value);
    if ($("f-type").value) q.append("actor_type", $("f-type").value);
    return q.toString();
  }

  function chart(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), config);
  }

  /* A small share for its scale, as civnet.products.render.fmt_scaled writes it. */
  function scaled(v) {
    if (v === null || v === undefined) return "\u2014";
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 0.01) return v.toFixed(3);
    if (a >= 1e-4) return V.fmt(v * 1000, 2).replace(/\.?0+$/, "") + "\u2030";
    return v.toExponential(1).replace("e-", "e-0").replace(/e-0(\d\d)/, "e-$1");
  }

  function ratio(r) {
    if (r === 0) return "0";
    if (r >= 10) return Math.round(r).toLocaleString("en-US") + "\u00d7";
    if (r >= 1) return r.toFixed(1) + "\u00d7";
    return String(Number(r.toPrecision(2))) + "\u00d7";
  }

  function heatmap(d) {
    const order = d.groups.map((g, i) => i).sort((a, b) => d.sizes[b] - d.sizes[a] || (d.groups[a] < d.groups[b] ? -1 : 1)).slice(0, 10);
    const overall = d.density;
    let peak = 0;
    for (const i of order) for (const j of order) peak = Math.max(peak, overall > 0 ? (d.matrix[i][j] || 0) / overall : 0);
    const t = document.createElement("table");
    t.className = "heat";
    const head = t.insertRow();
    head.appendChild(document.createElement("th")).textContent = "country (actors)";
    for (const j of order) head.appendChild(document.createElement("th")).textContent = d.groups[j];
    for (const i of order) {
      const row = t.insertRow();
      row.appendChild(document.createElement("th")).textContent = d.groups[i] + " (" + d.sizes[i].toLocaleString("en-US") + ")";
      for (const j of order) {
        const v = d.matrix[i][j] || 0, r = overall > 0 ? v / overall : 0;
        const a = peak > 0 ? Math.log1p(r) / Math.log1p(peak) : 0;
        const cell = row.insertCell();
        cell.textContent = overall > 0 ? ratio(r) : scaled(v);
        cell.title = "density " + scaled(v);
        cell.dataset.density = String(v);
        cell.style.background = "rgba(31,111,235," + a.toFixed(3) + ")";
        cell.style.color = a > 0.55 ? "#fff" : "#1d2733";
      }
    }
    $("heatmap").textContent = "";
    $("heatmap").appendChild(t);
    $("heatmap-note").textContent = "Each cell: the block's density divided by the density of the view (" + scaled(overall) +
      "); 1\u00d7 is as dense as the view. Diagonal: within the country. Hover a cell for its density.";
  }

  async function loadGraph(gen, q) {
    document.body.dataset.graph = "loading";
    const graph = await runJob("/api/jobs/graph", q, $("graph-bar"), $("graph-status"));
    if (gen !== generation) return;
    if (net) net.renderer.kill();
    net = V.mountNetwork($("network"), graph, $("legend"), $("graph-note"));
    net.colourBy($("f-colour").value);
    const drill = $("f-drill");
    V.options(drill, graph.countries.map((c, i) => ({ value: String(i), label: graph.country_nodes.name[i] + " (" + c + ")" }))
      .filter((o) => !o.label.startsWith("(unknown)")), "countries (country level)");
    net.onFocus((c) => { drill.value = c === null ? "" : String(c); });
    window.civnetNetwork = net;
    $("graph-status-note").textContent = "Laid out by the server for this view (seed " + graph.seed + ").";
    document.body.dataset.graph = "ready";
  }

  /* How the brokers' values were computed: an approximation states its bound (eps, delta). */
  function brokersMethod(brokers, pending) {
    const r = brokers[0] || {};
    if (r.eps !== undefined && r.eps !== null) {
      return "Approximate (" + (r.method || "sampling").split(",")[0].replace(/^approximate: /, "") + "): every value within \u00b1" +
        Number(r.eps.toPrecision(2)) + " of the exact one with probability at least " + Number((1 - r.delta).toPrecision(3)) +
        " (eps " + r.eps.toPrecision(2) + ", delta " + r.delta + ", " + Number(r.samples).toLocaleString("en-US") + " samples)." +
        (pending ? " The exact ranking replaces it when ready." : "");
    }
    return r.method ? r.method : "Exact (Brandes), normalized, as civnet betweenness.";
  }

  function paintBrokers(brokers, d, pending) {
    V.setStat($("factors"), "top_betweenness", brokers.length ? brokers[0].betweenness : 0, 4);
    const approx = brokers.length && brokers[0].eps !== undefined && brokers[0].eps !== null;
    chart("chart-brokers", {
      type: "bar",
      data: {
        labels: brokers.map((r) => r.name + " (" + (r.country || "?") + ")"),
        datasets: [{ label: approx ? "betweenness (approximate)" : "betweenness", data: brokers.map((r) => r.betweenness),
          backgroundColor: approx ? "#9fb8dd" : "#1f6feb" }],
      },
      options: { indexAxis: "y", animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } },
    });
    $("brokers-method").textContent = brokersMethod(brokers, pending);
    // rankings list organisations and cities; say which aggregates they left out
    const left = ["sector", "country", "network"].filter((k) => (d.by_level || {})[k]);
    const n = left.reduce((s, k) => s + d.by_level[k], 0);
    $("brokers-status").textContent = (pending ? "Exact betweenness computing\u2026 " : "") + (n ? "Organisations and cities ranked; " +
      n.toLocaleString("en-US") + " aggregate actors left out (" +
      left.map((k) => k + " " + d.by_level[k].toLocaleString("en-US")).join(", ") + ")." : "");
  }

  /* Approximate first (a bounded approximation the server keeps warm), exact when ready. */
  async function loadBrokers(gen, q, d) {
    let exactDone = false;
    const quick = meta && meta.quick_brokers;
    if (quick) {
      getJSON("/api/betweenness?top=10&approx=" + quick.approx + "&delta=" + quick.delta + (q ? "&" + q : ""))
        .then((quickResult) => {
          if (exactDone || gen !== generation) return;
          paintBrokers(quickResult.records, d, true);
          document.body.dataset.brokers = "approximate";
        })
        .catch(() => {});
    }
    const brokers = (await runJob("/api/jobs/betweenness", "top=10" + (q ? "&" + q : ""), $("brokers-bar"), $("brokers-status"))).records;
    exactDone = true;
    if (gen !== generation) return;
    paintBrokers(brokers, d, false);
    document.body.dataset.brokers = "ready";
  }

  async function loadTimeline(gen, q) {
    let t;
    try {
      t = await runJob("/api/jobs/timeline", q, $("timeline-bar"), $("timeline-status"));
    } catch (err) {
      if (gen === generation) $("timeline-status").textContent = "No timeline: " + (err.message || err);
      if (charts["chart-timeline"]) { charts["chart-timeline"].destroy(); delete charts["chart-timeline"]; }
      return;
    }
    if (gen !== generation) return;
    const P = t.periods;
    chart("chart-timeline", V.timelineChart(P, 1, { animation: false, maintainAspectRatio: false }));
    document.body.dataset.timeline = "ready";
  }

  async function loadBrokerage(gen, q) {
    const rows = (await runJob("/api/jobs/brokerage", "by=country" + (q ? "&" + q : ""), $("brokerage-bar"), $("brokerage-status"))).records;
    if (gen !== generation) return;
    const groups = new Map();
    const roles = [];
    for (const r of rows) {
      if (r.scope !== "group" || r.null !== "bernoulli" || r.role === "total") continue;
      if (!roles.includes(r.role)) roles.push(r.role);
      if (!groups.has(r.group)) groups.set(r.group, {});
      groups.get(r.group)[r.role] = r.raw;
    }
    const total = (g) => roles.reduce((s, k) => s + (groups.get(g)[k] || 0), 0);
    const top = [...groups.keys()].sort((a, b) => total(b) - total(a) || (a < b ? -1 : 1)).slice(0, 12);
    chart("chart-brokerage", {
      type: "bar",
      data: { labels: top, datasets: roles.map((k, i) => ({ label: k, data: top.map((g) => groups.get(g)[k] || 0), backgroundColor: V.PALETTE[i] })) },
      options: { indexAxis: "y", animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true } } },
    });
    document.body.dataset.brokerage = "ready";
  }

  async function loadScorecard(gen, q) {
    let card;
    try {
      card = await runJob("/api/jobs/scorecard", "boot=100" + (q ? "&" + q : ""), $("scorecard-bar"), $("scorecard-status"));
    } catch (err) {
      if (gen === generation) { $("scorecard-status").textContent = "No scorecard: " + (err.message || err); $("scorecard-table").textContent = ""; }
      return;
    }
    if (gen !== generation) return;
    const channels = Object.keys(card.card.channels);
    const cols = [...channels, "overall"];
    const t = document.createElement("table");
    t.id = "scorecard-rows";
    const head = t.createTHead().insertRow();
    for (const h of ["country", "rank", "rank range", ...channels.map((k) => card.card.channels[k].title), "Overall"]) head.appendChild(document.createElement("th")).textContent = h;
    const body = t.createTBody();
    const more = t.createTBody();
    more.hidden = true;
    more.id = "scorecard-more";
    card.countries.forEach((r, k) => {
      const row = (k < SCORECARD_ROWS ? body : more).insertRow();
      row.insertCell().textContent = r.country;
      row.insertCell().textContent = r.rank;
      row.insertCell().textContent = r.rank_range;
      for (const c of cols) {
        const cell = row.insertCell();
        cell.className = "num";
        cell.textContent = r[c] === null ? "missing" : r[c].toFixed(1) + " [" + (r[c + "_low"] === null ? "\u2014" : r[c + "_low"].toFixed(1)) + "\u2013" + (r[c + "_high"] === null ? "\u2014" : r[c + "_high"].toFixed(1)) + "]";
      }
    });
    $("scorecard-table").textContent = "";
    $("scorecard-table").appendChild(t);
    const toggle = $("scorecard-toggle");
    const extra = card.countries.length - SCORECARD_ROWS;
    toggle.hidden = extra <= 0;
    toggle.textContent = "Show the other " + extra + " countries";
    toggle.onclick = () => {
      more.hidden = !more.hidden;
      toggle.textContent = more.hidden ? "Show the other " + extra + " countries" : "Show the first " + SCORECARD_ROWS + " only";
    };
    $("scorecard-note").textContent = "0-100 across the " + card.countries.length + " countries scored; [interval]: 95% over " +
      card.bootstrap.n + " bootstrap resamples (seed " + card.bootstrap.seed + "), as civnet scorecard --boot " + card.bootstrap.n + " with these filters.";
    document.body.dataset.scorecard = "ready";
  }

  async function refresh() {
    const gen = ++generation;
    const q = query();
    document.body.dataset.state = "loading";
    for (const k of ["brokers", "timeline", "brokerage", "scorecard"]) document.body.dataset[k] = "loading";
    $("api-query").textContent = "/api/describe" + (q ? "?" + q : "");
    for (const f of ["gexf", "graphml", "json", "csv"]) $("x-" + f).href = "/api/export?format=" + f + (q ? "&" + q : "");
    const fail = (status) => (err) => {
      if (gen !== generation) return;
      status.textContent = String(err.message || err);
      status.classList.add("error");
    };
    loadGraph(gen, q).catch(fail($("graph-status")));
    try {
      const [d, dens] = await Promise.all([
        getJSON("/api/describe" + (q ? "?" + q : "")),
        getJSON("/api/density?by=country" + (q ? "&" + q : "")),
      ]);
      if (gen !== generation) return;
      const root = $("factors");
      for (const k of ["nodes", "edges", "ties", "components", "largest_component", "countries"]) V.setStat(root, k, d[k]);
      V.setStat(root, "density", d.density, 4);
      heatmap(dens);
      document.body.dataset.state = "ready";
      await loadBrokers(gen, q, d);
      await loadTimeline(gen, q);
      await loadBrokerage(gen, q).catch(fail($("brokerage-status")));
      await loadScorecard(gen, q);
    } catch (err) {
      if (gen !== generation) return;
      document.body.dataset.state = "error";
      fail($("brokers-status"))(err);
    }
  }

  async function start() {
    meta = await getJSON("/api/meta");
    V.options($("f-track"), meta.tracks.map((t) => ({ value: t, label: t })), "all tracks");
    V.options($("f-type"), meta.actor_types.map((t) => ({ value: t, label: t })), "all types");
    V.options($("f-country"), meta.countries.map((c) => ({ value: c.code, label: c.code + " (" + c.actors + ")" })), "all countries");
    const years = [];
    if (meta.years.length) for (let y = meta.years[0]; y <= meta.years[1]; y++) years.push({ value: String(y), label: String(y) });
    V.options($("f-from"), years, "\u2026");
    V.options($("f-to"), years, "\u2026");
    for (const id of ["f-track", "f-from", "f-to", "f-country", "f-type"]) $(id).addEventListener("change", refresh);
    $("f-colour").addEventListener("change", () => net && net.colourBy($("f-colour").value));
    $("f-drill").addEventListener("change", () => net && net.focus($("f-drill").value));
    $("f-search").addEventListener("change", () => {
      if (!net) return;
      const hit = net.search($("f-search").value);
      $("search-result").textContent = $("f-search").value ? (hit ? "found: " + hit : "no actor matches") : "";
    });
    refresh();
  }

  start();
})();
