/* The report page: filters recount the core factors and redraw the network; charts are static. */
(function () {
  "use strict";
  const V = window.CivnetView;
  const data = JSON.parse(document.getElementById("civnet-data").textContent);
  const G = data.graph;
  const $ = (id) => document.getElementById(id);

  V.options($("f-track"), G.tracks.map((t, i) => ({ value: String(i), label: t })), "all tracks");
  const countryOrder = G.countries.map((c, i) => ({ value: String(i), label: c }))
    .filter((o) => o.label !== "(unknown)");
  V.options($("f-country"), countryOrder, "all countries");
  const years = [];
  if (data.years.length) for (let y = data.years[0]; y <= data.years[1]; y++) years.push({ value: String(y), label: String(y) });
  V.options($("f-from"), years, "\u2026");
  V.options($("f-to"), years, "\u2026");

  V.options($("f-drill"), countryOrder.map((o) => ({ value: o.value, label: G.country_nodes.name[Number(o.value)] + " (" + o.label + ")" })), "countries (country level)");
  const net = V.mountNetwork($("network"), G, $("legend"), $("network-note"));
  net.onFocus((c) => { $("f-drill").value = c === null ? "" : String(c); });
  window.civnetNetwork = net;

  function filters() {
    const f = {};
    if ($("f-track").value !== "") f.tracks = new Set([Number($("f-track").value)]);
    if ($("f-country").value !== "") f.countries = new Set([Number($("f-country").value)]);
    f.from = $("f-from").value;
    f.to = $("f-to").value;
    return f;
  }

  function describeFilters() {
    const parts = [];
    if ($("f-track").value !== "") parts.push("track " + G.tracks[Number($("f-track").value)]);
    if ($("f-from").value || $("f-to").value) parts.push("period " + ($("f-from").value || "\u2026") + " to " + ($("f-to").value || "\u2026"));
    if ($("f-country").value !== "") parts.push("country " + G.countries[Number($("f-country").value)]);
    return parts.length ? parts.join("; ") : "the whole report view";
  }

  function update() {
    const sel = V.selectTies(G, filters());
    const s = V.summary(G, sel);
    const root = document.getElementById("factors");
    V.setStat(root, "nodes", s.nodes);
    V.setStat(root, "edges", s.edges);
    V.setStat(root, "ties", s.ties);
    V.setStat(root, "density", s.density, 4);
    V.setStat(root, "components", s.components);
    V.setStat(root, "largest_component", s.largest_component);
    V.setStat(root, "countries", s.countries);
    $("filter-desc").textContent = describeFilters();
    net.show(sel.length === G.ties.s.length ? null : sel);
  }

  for (const id of ["f-track", "f-country", "f-from", "f-to"]) $(id).addEventListener("change", update);
  $("f-colour").addEventListener("change", () => net.colourBy($("f-colour").value));
  $("f-drill").addEventListener("change", () => net.focus($("f-drill").value));
  $("f-search").addEventListener("change", () => {
    const hit = net.search($("f-search").value);
    $("search-result").textContent = $("f-search").value ? (hit ? "found: " + hit : "no actor matches") : "";
  });
  update();

  if (window.Chart) {
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    const bar = (el, labels, values, label, horizontal) => new Chart(el, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: "#1f6feb" }] },
      options: { indexAxis: horizontal ? "y" : "x", plugins: { legend: { display: false } } },
    });
    if (data.by_track.length) {
      bar($("chart-track"), data.by_track.map((r) => r.track), data.by_track.map((r) => r.density), "density");
    }
    if (data.by_year.length) {
      new Chart($("chart-year"), {
        type: "line",
        data: {
          labels: data.by_year.map((r) => String(r.year)),
          datasets: [{ label: "density", data: data.by_year.map((r) => r.density), borderColor: "#d62728", pointRadius: 2 }],
        },
        options: { plugins: { legend: { display: false } } },
      });
    }
    if (data.brokerage) {
      const B = data.brokerage;
      new Chart($("chart-brokerage"), {
        type: "bar",
        data: {
          labels: B.groups,
          datasets: B.roles.map((r, k) => ({ label: r, data: B.raw[r], backgroundColor: V.PALETTE[k] })),
        },
        options: { indexAxis: "y", scales: { x: { stacked: true }, y: { stacked: true } } },
      });
    }
    if (data.timeline.length) {
      const T = data.timeline;
      new Chart($("chart-timeline"), V.timelineChart(T, 2));
    }
    if (data.scorecard) {
      // One chart per channel: the bootstrap interval as a floating bar, the score as a dot; the
      // best-ranked countries until "show the other countries" is pressed.
      const S = data.scorecard;
      const charts = [];
      const drawScores = (limit) => {
        while (charts.length) charts.pop().destroy();
        const rows = S.countries.slice(0, limit);
        Object.keys(S.card.channels).forEach((k, i) => {
          const el = $("chart-score-" + k);
          if (!el) return;
          const interval = rows.map((r) => (r[k + "_low"] === null ? null : [r[k + "_low"], r[k + "_high"]]));
          charts.push(new Chart(el, {
            type: "bar",
            data: {
              labels: rows.map((r) => r.country),
              datasets: [
                { type: "bar", label: "95% interval", data: interval, minBarLength: 2, backgroundColor: V.PALETTE[i] + "55", borderColor: V.PALETTE[i], borderWidth: 1 },
                { type: "line", label: "score", data: rows.map((r) => r[k]), showLine: false, pointRadius: 4, pointBackgroundColor: "#1d2733", borderColor: "#1d2733" },
              ],
            },
            options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
          }));
        });
      };
      drawScores(data.scorecard_top);
      const toggle = $("scorecard-toggle");
      if (toggle) {
        toggle.addEventListener("click", () => {
          const more = $("scorecard-more");
          more.hidden = !more.hidden;
          toggle.textContent = more.hidden ? "Show the other " + toggle.dataset.more + " countries" : "Show the first " + data.scorecard_top + " only";
          drawScores(more.hidden ? data.scorecard_top : S.countries.length);
        });
      }
    }
    if (data.removals) {
      const C = data.removals.attack_curve;
      new Chart($("chart-attack"), {
        type: "line",
        data: {
          labels: C.map((r) => (r.step ? r.step + ". " + (r.removed || "") : "none")),
          datasets: [{ label: "reach (share of actor pairs connected)", data: C.map((r) => r.reach), borderColor: "#d62728", pointRadius: 3 }],
        },
        options: { scales: { y: { min: 0, title: { display: true, text: "reach" } } } },
      });
    }
    if (data.brokers.length) {
      bar($("chart-brokers"), data.brokers.map((r) => r.name + " (" + (r.country || "?") + ")"),
        data.brokers.map((r) => r.betweenness), "betweenness", true);
    }
  }
})();
