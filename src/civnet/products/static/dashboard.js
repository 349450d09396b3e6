/* The dashboard: numbers from the JSON API for the chosen filters; slow measures run as jobs
 * whose progress is shown; the network is laid out once by the server and filtered here. */
(function () {
  "use strict";
  const V = window.CivnetView;
  const $ = (id) => document.getElementById(id);
  let generation = 0;
  let net = null;
  let graph = null;
  let chart = null;

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

  function localFilters() {
    const f = { from: $("f-from").value, to: $("f-to").value };
    const code = (list, value) => new Set([list.indexOf(value)]);
    if ($("f-track").value) f.tracks = code(graph.tracks, $("f-track").value);
    if ($("f-country").value) f.countries = code(graph.countries, $("f-country").value);
    if ($("f-type").value) f.types = code(graph.types, $("f-type").value);
    return f;
  }

  function showNetwork() {
    if (!net) return;
    const sel = V.selectTies(graph, localFilters());
    const s = V.summary(graph, sel);
    const all = sel.length === graph.ties.s.length;
    net.show(all ? null : s.visible, all ? null : s.pairs);
  }

  function heatmap(d) {
    const order = d.groups.map((g, i) => i).sort((a, b) => d.sizes[b] - d.sizes[a] || (d.groups[a] < d.groups[b] ? -1 : 1)).slice(0, 10);
    let peak = 0;
    for (const i of order) for (const j of order) peak = Math.max(peak, d.matrix[i][j] || 0);
    const t = document.createElement("table");
    t.className = "heat";
    const head = t.insertRow();
    head.appendChild(document.createElement("th")).textContent = "country (actors)";
    for (const j of order) head.appendChild(document.createElement("th")).textContent = d.groups[j];
    for (const i of order) {
      const row = t.insertRow();
      row.appendChild(document.createElement("th")).textContent = d.groups[i] + " (" + d.sizes[i] + ")";
      for (const j of order) {
        const v = d.matrix[i][j] || 0, a = peak > 0 ? v / peak : 0;
        const cell = row.insertCell();
        cell.textContent = v.toFixed(3);
        cell.style.background = "rgba(31,111,235," + a.toFixed(3) + ")";
        cell.style.color = a > 0.55 ? "#fff" : "#1d2733";
      }
    }
    $("heatmap").textContent = "";
    $("heatmap").appendChild(t);
  }

  async function refresh() {
    const gen = ++generation;
    const q = query();
    document.body.dataset.state = "loading";
    document.body.dataset.brokers = "loading";
    $("api-query").textContent = "/api/describe" + (q ? "?" + q : "");
    for (const f of ["gexf", "graphml", "json", "csv"]) $("x-" + f).href = "/api/export?format=" + f + (q ? "&" + q : "");
    showNetwork();
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
      const brokers = await runJob("/api/jobs/betweenness", "top=10" + (q ? "&" + q : ""), $("brokers-bar"), $("brokers-status"));
      if (gen !== generation) return;
      V.setStat(root, "top_betweenness", brokers.length ? brokers[0].betweenness : 0, 4);
      if (chart) chart.destroy();
      chart = new Chart($("chart-brokers"), {
        type: "bar",
        data: {
          labels: brokers.map((r) => r.name + " (" + (r.country || "?") + ")"),
          datasets: [{ label: "betweenness", data: brokers.map((r) => r.betweenness), backgroundColor: "#1f6feb" }],
        },
        options: { indexAxis: "y", animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } },
      });
      // rankings list organisations and cities; say which aggregates they left out
      const left = ["sector", "country", "network"].filter((k) => (d.by_level || {})[k]);
      const n = left.reduce((s, k) => s + d.by_level[k], 0);
      $("brokers-status").textContent = n ? "Organisations and cities ranked; " + n.toLocaleString("en-US") +
        " aggregate actors left out (" + left.map((k) => k + " " + d.by_level[k].toLocaleString("en-US")).join(", ") + ")." : "";
      document.body.dataset.brokers = "ready";
    } catch (err) {
      if (gen !== generation) return;
      document.body.dataset.state = "error";
      $("brokers-status").textContent = String(err.message || err);
      $("brokers-status").classList.add("error");
    }
  }

  async function start() {
    const meta = await getJSON("/api/meta");
    V.options($("f-track"), meta.tracks.map((t) => ({ value: t, label: t })), "all tracks");
    V.options($("f-type"), meta.actor_types.map((t) => ({ value: t, label: t })), "all types");
    V.options($("f-country"), meta.countries.map((c) => ({ value: c.code, label: c.code + " (" + c.actors + ")" })), "all countries");
    const years = [];
    if (meta.years.length) for (let y = meta.years[0]; y <= meta.years[1]; y++) years.push({ value: String(y), label: String(y) });
    V.options($("f-from"), years, "\u2026");
    V.options($("f-to"), years, "\u2026");
    for (const id of ["f-track", "f-from", "f-to", "f-country", "f-type"]) $(id).addEventListener("change", refresh);
    $("f-colour").addEventListener("change", () => net && net.colourBy($("f-colour").value));
    $("f-search").addEventListener("change", () => {
      if (!net) return;
      const hit = net.search($("f-search").value);
      $("search-result").textContent = $("f-search").value ? (hit ? "found: " + hit : "no actor matches") : "";
    });
    refresh();
    try {
      graph = await runJob("/api/jobs/graph", "", $("graph-bar"), $("graph-status"));
      net = V.mountNetwork($("network"), graph, $("legend"));
      window.civnetNetwork = net;
      $("graph-note").textContent = "Node size: betweenness; layout computed once by the server (seed " + graph.seed + "). " +
        (graph.edges_drawn < graph.edges_total ? "Drawing the " + graph.edges_drawn.toLocaleString("en-US") + " heaviest of " + graph.edges_total.toLocaleString("en-US") + " edges." : "All " + graph.edges_total.toLocaleString("en-US") + " edges drawn.");
      showNetwork();
      document.body.dataset.graph = "ready";
    } catch (err) {
      $("graph-status").textContent = String(err.message || err);
      $("graph-status").classList.add("error");
    }
  }

  start();
})();
