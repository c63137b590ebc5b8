// Gradscape's stage: the Explore plot(s), drawn in the browser.
//
// The contour is drawn once by Plotly (SVG: crisp at any size) and never redrawn; the paths
// are drawn on a canvas laid over its plot area, so Play, the step scrubber, the hyperparameter
// scrubber and the keyboard redraw only the canvas: no server round trip and no Plotly redraw.
// Python sends one JSON payload (built by plots/stage.py); the stage sends back a few events
// (a click on the plot, the step when paused, a scrubbed value, presenter mode on or off).
//
// Layout: a bar (Play, the step scrubber, the step, Presenter), then the overlay plot with its
// legend, or one panel per optimizer, then the hyperparameter scrubber (when on), then the loss
// and distance charts with a cursor at the current step.

const TYPES = { f4: Float32Array, f8: Float64Array, i4: Int32Array, u2: Uint16Array };

function decode(spec) {
  if (spec == null) return new Float32Array(0);
  if (Array.isArray(spec)) return Float64Array.from(spec);
  const s = atob(spec.bdata), u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return new TYPES[spec.dtype](u.buffer);
}

function decodeInternals(ins) {
  const a = ins.arrows;
  return { ...ins, steps: decode(ins.steps),
           charts: ins.charts.map((c) => ({ ...c, series: c.series.map((s) => ({ ...s, y: decode(s.y) })) })),
           arrows: a ? { ...a, gx: decode(a.gx), gy: decode(a.gy), mx: a.mx ? decode(a.mx) : null,
                         my: a.my ? decode(a.my) : null } : null };
}

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__gsPlotly) {
    window.__gsPlotly = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(s);
    });
  }
  return window.__gsPlotly;
}

function el(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;  // never innerHTML: labels come from URLs
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(v) {
  if (!isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

const DASHES = { solid: [], dash: [10, 6], dot: [2, 5], dashdot: [10, 5, 2, 5] };

class Stage {
  constructor(root) {
    this.root = root;
    this.rev = null;
    this.t = 0;
    this.playing = false;
    this.hidden = new Set();
    this.scrubIndex = null;
    this.stats = { frames: 0, playStart: 0, playEnd: 0, plays: 0, drawMs: 0 };
    window.__gsStage = this;  // read by the tests and benchmarks
    this.onKey = (e) => this.key(e);
    document.addEventListener("keydown", this.onKey);
    this.ro = new ResizeObserver(() => this.scheduleResize());
    this.ro.observe(root);
  }

  destroy() {
    document.removeEventListener("keydown", this.onKey);
    this.ro.disconnect();
    this.pause();
  }

  // ---- payload ----------------------------------------------------------------------------
  update(d, trigger) {
    this.trigger = trigger;
    this.lesson = d.lesson || null;  // per session, outside rev: a lesson's steps may share a picture
    if (d.rev === this.rev) return;
    this.rev = d.rev;
    this.stats.receivedAt = performance.now();
    this.stats.readyAt = 0;
    this.d = d;
    this.N = d.steps;
    this.paths = d.paths.map((p) => ({
      ...p, x: decode(p.x), y: decode(p.y), loss: decode(p.loss),
      slow: p.slow ? { x: decode(p.slow.x), y: decode(p.slow.y), steps: decode(p.slow.steps) } : null,
      lr: p.lr ? decode(p.lr) : null,
    }));
    this.frames = d.frames;
    this.hidden = new Set((d.hidden || []).filter((i) => i < this.paths.length));
    this.t = Math.max(0, Math.min(this.N, d.step == null ? this.N : d.step));
    this.scrub = d.scrub ? { ...d.scrub, xs: d.scrub.paths.map((p) => decode(p.x)),
                                        ys: d.scrub.paths.map((p) => decode(p.y)) } : null;
    this.scrubIndex = null;
    this.ins = d.internals ? decodeInternals(d.internals) : null;
    this.pause();
    this.build();
  }

  // ---- DOM --------------------------------------------------------------------------------
  build() {
    const d = this.d, root = this.root;
    root.textContent = "";
    const wrap = this.wrap = el("div", "gs-stage" + (d.present ? " gs-present" : ""), root);
    wrap.style.setProperty("--gs-font", d.font + "px");
    wrap.setAttribute("data-testid", "gs-stage");
    wrap.dataset.view = d.view;

    // bar (not under a 3D view, which has its own Play; the charts then show the last step)
    const bar = el("div", "gs-bar", wrap);
    if (d.view === "charts") bar.style.display = "none";
    this.playBtn = el("button", "gs-btn gs-play", bar, "▶ Play");
    this.playBtn.title = "Play / pause (Space)";
    this.playBtn.onclick = () => this.toggle();
    this.range = el("input", "gs-range", bar);
    Object.assign(this.range, { type: "range", min: 0, max: this.N, step: 1, value: this.t });
    this.range.setAttribute("aria-label", "step");
    this.range.oninput = () => { this.pause(); this.setStep(+this.range.value); };
    this.stepLabel = el("span", "gs-steplabel", bar);
    const present = el("button", "gs-btn gs-present-btn", bar,
                       d.present ? "Leave presenter (P)" : "Presenter mode");
    present.title = d.present ? "Leave presenter mode (P)"
      : "Full-screen plot for a projector. Keys: Space play/pause, ← → one step, Home reset, 1–8 show or hide a path, P leave";
    present.onclick = () => this.send("present", !d.present);
    if (d.present) {
      el("span", "gs-keys", bar, this.lesson ? "← → lesson step · Shift+← → time · Space ▶/❚❚ · P exit"
                                             : "Space ▶/❚❚ · ← → step · Home reset · 1–8 paths · P exit");
    }

    this.panes = [];
    if (d.view !== "charts") {
      const main = el("div", "gs-main gs-" + d.view, wrap);
      if (d.view === "panels") {
        const grid = this.grid = el("div", "gs-grid", main);
        this.layoutPanels();
        this.paths.forEach((p, i) => {
          const cell = el("div", "gs-panel", grid);
          const title = el("div", "gs-panel-title", cell);
          const sw = el("span", "gs-swatch", title); sw.style.background = p.color;
          el("span", "", title, `${i + 1}. ${p.label}`);
          if (p.status) el("span", "gs-status", title, " — " + p.status);
          title.onclick = () => this.toggleHidden(i);
          this.panes.push(this.makePane(cell, [i], false));
        });
      } else {
        const row = this.mainRow = el("div", "gs-row", main);
        this.panes.push(this.makePane(row, this.paths.map((_, i) => i), true));
        this.legend = el("div", "gs-legend", row);
        this.legend.setAttribute("data-testid", "gs-legend");
        this.paths.forEach((p, i) => {
          const item = el("div", "gs-item", this.legend);
          item.dataset.index = i;
          const c = el("canvas", "gs-swatch-line", item);
          c.width = 36; c.height = 12;
          const g = c.getContext("2d");
          g.strokeStyle = p.color; g.lineWidth = 3; g.setLineDash(DASHES[p.dash] || []);
          g.beginPath(); g.moveTo(0, 6); g.lineTo(36, 6); g.stroke();
          el("span", "gs-num", item, String(i + 1));
          const txt = el("span", "gs-label", item, p.label);
          if (p.status) el("span", "gs-status", txt, " — " + p.status);
          item.title = "Click (or press " + (i + 1) + ") to hide or show";
          item.onclick = () => this.toggleHidden(i);
        });
      }
    }
    if (this.scrub) this.buildScrub(wrap);
    if (!d.present) {
      const charts = el("div", "gs-charts", wrap);
      this.charts = [];
      for (const spec of d.charts) {
        const box = el("div", "gs-chartbox", charts);
        const div = el("div", "gs-chart", box);
        const cursor = el("div", "gs-cursor", box);
        this.charts.push({ spec, div, cursor });
      }
    } else this.charts = [];
    if (this.ins) this.buildInternals(wrap);
    this.tip = el("div", "gs-tip", wrap);
    this.tip.setAttribute("data-testid", "gs-tip");
    this.ready = loadPlotly(d.plotly).then((P) => this.plotAll(P));
  }

  // the number of columns that makes the panels largest in the room left on screen
  panelRoom() {
    const top = this.d.present ? 60 : Math.min(this.wrap.getBoundingClientRect().top + window.scrollY, 260) + 60;
    return [this.root.clientWidth || 900, Math.max(300, window.innerHeight - top)];
  }

  layoutPanels() {
    const n = this.paths.length, [W, H] = this.panelRoom();
    let best = 1, bestSize = 0;
    for (let c = 1; c <= Math.min(n, 4); c++) {
      const rows = Math.ceil(n / c);
      const size = Math.min(W / c - 10, (H / rows - 34) / 0.8);  // a panel is 0.8 as tall as wide
      if (size > bestSize + 1) { best = c; bestSize = size; }
    }
    this.cols = best;
    this.grid.style.gridTemplateColumns = `repeat(${best}, minmax(0, 1fr))`;
  }

  makePane(parent, members, main) {
    const box = el("div", main ? "gs-plotwrap gs-mainplot" : "gs-plotwrap", parent);
    const div = el("div", "gs-plot", box);
    const canvas = el("canvas", "gs-canvas", box);
    const pane = { box, div, canvas, members, main };
    canvas.addEventListener("mousemove", (e) => this.hover(pane, e));
    canvas.addEventListener("mouseleave", () => { this.tip.style.display = "none"; });
    canvas.addEventListener("mousedown", (e) => { pane.down = [e.clientX, e.clientY]; });
    canvas.addEventListener("mouseup", (e) => this.click(pane, e));
    return pane;
  }

  buildScrub(wrap) {
    const s = this.scrub, p = this.paths[s.path];
    const box = el("div", "gs-scrub", wrap);
    box.setAttribute("data-testid", "gs-scrub");
    el("span", "gs-scrub-label", box, `Drag ${s.name} of ${s.path + 1}. ${p.label}:`);
    const r = this.scrubRange = el("input", "gs-range", box);
    Object.assign(r, { type: "range", min: 0, max: s.values.length - 1, step: 1, value: s.current });
    r.setAttribute("aria-label", "scrub " + s.name);
    this.scrubValue = el("span", "gs-scrub-value", box, `${s.name} = ${fmt(s.values[s.current])}`);
    el("span", "gs-scrub-hint", box, "release to keep it");
    r.oninput = () => {
      this.scrubIndex = +r.value;
      this.scrubValue.textContent = `${s.name} = ${fmt(s.values[this.scrubIndex])}`;
      this.draw();
    };
    r.onchange = () => this.send("scrub", { index: +r.value, value: s.values[+r.value] });
  }

  // ---- Plotly: the contour background and the charts ---------------------------------------
  plotAll(P) {
    this.P = P;
    const d = this.d, c = d.contour, F = d.font;
    const xs = Array.from(decode(c.x)), ys = Array.from(decode(c.y)), zq = decode(c.z);
    const scale = (c.zmax - c.zmin) / 65535, z = [];  // z comes as 16-bit levels over [zmin, zmax]
    for (let j = 0; j < ys.length; j++) {
      const row = new Array(xs.length);
      for (let i = 0; i < xs.length; i++) row[i] = c.zmin + zq[j * xs.length + i] * scale;
      z.push(row);
    }
    const font = { family: "Inter, 'Source Sans Pro', Arial, sans-serif", size: F, color: "#262730" };
    const jobs = this.panes.map((pane) => {
      const small = !pane.main;
      const contour = {
        type: "contour", x: xs, y: ys, z, zmin: c.zmin, zmax: c.zmax, autocontour: false,
        contours: { start: c.zmin, end: c.zmax, size: c.size, coloring: "fill", showlines: true },
        line: { color: c.line, width: 0.7, smoothing: 0.85 }, colorscale: c.colorscale,
        showscale: !small, hoverinfo: "skip",
        colorbar: { title: { text: c.colorbar_title, side: "top", font }, thickness: 16, len: 0.9,
                    outlinewidth: 0, tickfont: font, tickvals: c.tickvals, ticktext: c.ticktext },
      };
      const marks = d.markers.map((m) => ({
        type: "scatter", mode: "markers", x: m.x, y: m.y, name: m.name, hoverinfo: "skip",
        marker: m.marker,
      }));
      const layout = {
        font, showlegend: false, dragmode: false, hovermode: false,
        margin: small ? { l: 2.6 * F + 8, r: 8, t: F / 2 + 4, b: 2 * F + 6 } : { l: 3.6 * F + 12, r: 10, t: F / 2 + 6, b: 3.3 * F + 8 },
        paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
        xaxis: { range: d.bounds[0], title: small ? undefined : { text: "x", font }, tickfont: font,
                 showgrid: false, zeroline: false, fixedrange: true, ticks: "outside", nticks: small ? 5 : 9 },
        yaxis: { range: d.bounds[1], title: small ? undefined : { text: "y", font }, tickfont: font,
                 showgrid: false, zeroline: false, fixedrange: true, ticks: "outside", nticks: small ? 5 : 9 },
      };
      this.sizePane(pane);
      return P.newPlot(pane.div, [contour, ...marks], layout,
                       { staticPlot: true, displayModeBar: false, responsive: false });
    });
    const chartJobs = this.charts.map((ch) => this.plotChart(P, ch, font));
    if (this.insBox && this.panes.length) this.insBox.style.maxHeight = this.panes[0].div.style.height;
    return Promise.all([...jobs, ...chartJobs]).then(() => {
      this.panes.forEach((p) => this.fitCanvas(p));
      this.draw();
      this.stats.readyAt = performance.now();
      this.wrap.dataset.ready = "1";
      this.wrap.dataset.rev = this.rev;
    });
  }

  plotChart(P, ch, font) {
    if (ch.spec.kind === "internal") return this.plotInternal(P, ch, font);
    const d = this.d, spec = ch.spec;
    const stride = Math.max(1, Math.ceil((this.N + 1) / 1500));
    const traces = this.paths.map((p, i) => {
      const xs = [], ys = [];
      const vals = this.series(p, spec.kind);
      const n = p.n;
      for (let r = 0; r < n; r += stride) { xs.push(r); ys.push(vals[r]); }
      if ((n - 1) % stride) { xs.push(n - 1); ys.push(vals[n - 1]); }
      return { type: "scatter", mode: "lines", x: xs, y: ys, name: `${i + 1}. ${p.label}`,
               line: { color: p.color, width: 2.5, dash: p.dash },
               visible: this.hidden.has(i) ? "legendonly" : true,
               hovertemplate: `%{y:.4~g}<extra>${i + 1}</extra>` };
    });
    const layout = {
      font, height: spec.height, margin: { l: 80, r: 16, t: 48, b: 50 },
      title: { text: spec.title, font: { ...font, size: font.size + 2 }, x: 0, xanchor: "left" },
      showlegend: true, legend: { orientation: "h", y: -0.28, font },
      hovermode: "x unified", paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
      xaxis: { title: { text: "step", font }, range: [0, this.N], tickfont: font, gridcolor: "#e6e6e6",
               zeroline: false, fixedrange: true },
      yaxis: { title: { text: spec.ytitle, font }, type: spec.log ? "log" : "linear", tickfont: font,
               gridcolor: "#e6e6e6", zeroline: false, fixedrange: true,
               ...(spec.log ? { dtick: 1, exponentformat: "power", showexponent: "all" } : {}) },
    };
    return P.newPlot(ch.div, traces, layout, { displayModeBar: false, responsive: true })
      .then(() => {
        ch.div.on("plotly_legendclick", (ev) => { this.toggleHidden(ev.curveNumber); return false; });
        ch.div.on("plotly_legenddoubleclick", () => false);
      });
  }

  series(p, kind) {
    const n = p.n, out = new Float64Array(n);
    if (kind === "lr") {
      for (let r = 0; r < n; r++) out[r] = p.lr ? p.lr[r] : NaN;
    } else if (kind === "loss") {
      const fl = this.d.loss_floor, ref = this.d.loss_ref;
      for (let r = 0; r < n; r++) out[r] = this.d.loss_log ? Math.max(p.loss[r] - ref, fl) : p.loss[r];
    } else {
      const pts = this.d.targets;
      for (let r = 0; r < n; r++) {
        let best = Infinity;
        for (const [a, b] of pts) best = Math.min(best, Math.hypot(p.x[r] - a, p.y[r] - b));
        out[r] = Math.max(best, this.d.dist_floor);
      }
    }
    return out;
  }

  // ---- geometry ---------------------------------------------------------------------------
  sizePane(pane) {
    const d = this.d;
    const w = pane.box.clientWidth || 600;
    let h;
    if (pane.main) {
      const top = this.wrap.getBoundingClientRect().top + window.scrollY;
      const bar = this.wrap.querySelector(".gs-bar").offsetHeight;
      const avail = window.innerHeight - (d.present ? top : Math.min(top, 220)) - bar - 24;
      h = Math.max(360, Math.min(avail, d.present ? 4000 : 1000, w * 0.9));
    } else {
      const rows = Math.ceil(this.paths.length / this.cols);
      const avail = this.panelRoom()[1] / rows - 34;
      h = Math.max(200, Math.min(w * 0.8, avail));
    }
    pane.div.style.height = Math.round(h) + "px";
    pane.div.style.width = "100%";
  }

  fitCanvas(pane) {
    const gd = pane.div, fl = gd._fullLayout;
    if (!fl) return;
    const dpr = window.devicePixelRatio || 1;
    const w = gd.clientWidth, h = gd.clientHeight;
    pane.canvas.width = Math.round(w * dpr); pane.canvas.height = Math.round(h * dpr);
    pane.canvas.style.width = w + "px"; pane.canvas.style.height = h + "px";
    pane.dpr = dpr;
    const xa = fl.xaxis, ya = fl.yaxis;
    pane.xa = xa; pane.ya = ya;
    pane.px = (x) => xa._offset + xa.l2p(x);
    pane.py = (y) => ya._offset + ya.l2p(y);
    pane.rect = [xa._offset, ya._offset, xa._length, ya._length];
  }

  scheduleResize() {
    if (!this.P || this.resizing) return;
    this.resizing = true;
    requestAnimationFrame(() => {
      this.resizing = false;
      if (this.grid) this.layoutPanels();
      const jobs = this.panes.map((p) => { this.sizePane(p); return this.P.Plots.resize(p.div); });
      if (this.insBox && this.panes.length) this.insBox.style.maxHeight = this.panes[0].div.style.height;
      Promise.all(jobs).then(() => { this.panes.forEach((p) => this.fitCanvas(p)); this.draw(); });
    });
  }

  // ---- drawing ----------------------------------------------------------------------------
  draw() {
    const t0 = performance.now();
    for (const pane of this.panes) this.drawPane(pane);
    for (const ch of this.charts) this.placeCursor(ch);
    this.range.value = this.t;
    this.stepLabel.textContent = `step ${this.t} / ${this.N}`;
    this.playBtn.textContent = this.playing ? "❙❙ Pause" : "▶ Play";
    if (this.legend) {
      for (const item of this.legend.children) item.classList.toggle("gs-off", this.hidden.has(+item.dataset.index));
    }
    this.wrap.dataset.step = this.t;
    this.stats.frames += 1;
    this.stats.drawMs += performance.now() - t0;
  }

  drawPane(pane) {
    if (!pane.px) return;
    const g = pane.canvas.getContext("2d"), dpr = pane.dpr;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, pane.canvas.width, pane.canvas.height);
    g.save();
    const [rx, ry, rw, rh] = pane.rect;
    g.beginPath(); g.rect(rx, ry, rw, rh); g.clip();
    const k = pane.members.length, big = this.d.present ? 1.5 : 1;
    pane.members.forEach((i, order) => {
      if (this.hidden.has(i)) return;
      const p = this.paths[i];
      let xs = p.x, ys = p.y, n = p.n;
      if (this.scrub && this.scrub.path === i && this.scrubIndex !== null) {
        xs = this.scrub.xs[this.scrubIndex]; ys = this.scrub.ys[this.scrubIndex];
        n = this.scrub.n[this.scrubIndex];
      }
      const last = Math.min(this.t, n - 1);
      // earlier paths are drawn first and wider, so that a later path on top of one leaves
      // its colour showing along both edges
      const width = big * (pane.main ? 2 + 1.6 * (k - 1 - order) : 2.5);
      g.strokeStyle = p.color; g.fillStyle = p.color; g.lineWidth = width;
      g.lineJoin = "round"; g.lineCap = "round";
      g.setLineDash((DASHES[p.dash] || []).map((v) => v * big));
      g.beginPath();
      for (let r = 0; r <= last; r++) {
        const X = pane.px(xs[r]), Y = pane.py(ys[r]);
        if (r === 0) g.moveTo(X, Y); else g.lineTo(X, Y);
      }
      g.stroke();
      g.setLineDash([]);
      if (n <= 400) {
        const rad = Math.max(2, width * 0.75 + 0.5);
        for (let r = 0; r <= last; r++) {
          g.beginPath(); g.arc(pane.px(xs[r]), pane.py(ys[r]), rad, 0, 2 * Math.PI); g.fill();
        }
      }
      if (p.slow) {
        g.strokeStyle = "#1a1a1a"; g.lineWidth = 1;
        for (let j = 0; j < p.slow.steps.length; j++) {
          if (p.slow.steps[j] > this.t) break;
          const X = pane.px(p.slow.x[j]), Y = pane.py(p.slow.y[j]), s = 6 * big;
          g.beginPath(); g.moveTo(X, Y - s); g.lineTo(X + s, Y); g.lineTo(X, Y + s); g.lineTo(X - s, Y);
          g.closePath(); g.fillStyle = p.color; g.fill(); g.stroke();
        }
      }
      // the head: the point at the current step
      g.beginPath(); g.arc(pane.px(xs[last]), pane.py(ys[last]), (6 + width / 2) * big, 0, 2 * Math.PI);
      g.fillStyle = p.color; g.fill();
      g.lineWidth = 2 * big; g.strokeStyle = "#ffffff"; g.stroke();
    });
    g.restore();
    this.drawArrows(pane, g);
  }

  placeCursor(ch) {
    const fl = ch.div._fullLayout;
    if (!fl || !fl.xaxis || !fl.xaxis.l2p) return;
    const xa = fl.xaxis, ya = fl.yaxis;
    ch.cursor.style.left = (xa._offset + xa.l2p(this.t)) + "px";
    ch.cursor.style.top = (ch.div.offsetTop + ya._offset) + "px";  // below a chart's own title, if any
    ch.cursor.style.height = ya._length + "px";
  }

  // ---- internals: charts of one optimizer's state, arrows at its current point ------------
  // beside the plot when there is room (a projector at 1920 px: the point and the charts' cursor
  // in one view), else under it
  buildInternals(wrap) {
    const ins = this.ins;
    const side = this.d.view === "overlay" && this.mainRow && (this.root.clientWidth || 0) >= 1300;
    if (side) this.mainRow.classList.add("gs-with-ins");
    const box = this.insBox = el("div", "gs-internals" + (side ? " gs-ins-side" : ""), side ? this.mainRow : wrap);
    box.setAttribute("data-testid", "gs-internals");
    const head = el("div", "gs-ins-head", box);
    const sw = el("span", "gs-swatch", head); sw.style.background = ins.color;
    el("span", "gs-ins-title", head, ins.title);
    el("div", "gs-ins-legend", box, ins.legend);
    const grid = el("div", "gs-charts gs-ins-charts", box);
    for (const spec of ins.charts) {
      const cb = el("div", "gs-chartbox", grid);
      cb.dataset.key = spec.key;
      el("div", "gs-ins-chart-title", cb, spec.title);  // in the page, not Plotly: it wraps
      const div = el("div", "gs-chart", cb);
      const cursor = el("div", "gs-cursor", cb);
      this.charts.push({ spec: { ...spec, kind: "internal" }, div, cursor });
    }
  }

  plotInternal(P, ch, font) {
    const spec = ch.spec, xs = Array.from(this.ins.steps);
    const traces = spec.series.map((s) => ({
      type: "scatter", mode: "lines", x: xs, y: Array.from(s.y), name: s.name,
      line: { color: s.color, width: s.dash === "solid" ? 3 : 2.5, dash: s.dash },
      hovertemplate: `%{y:.4~g}<extra>${s.name}</extra>`,
    }));
    const shapes = [], notes = [];
    for (const [t, label] of spec.marks) {
      shapes.push({ type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1,
                    line: { color: "#5c6270", width: 2, dash: "dot" } });
      notes.push({ xref: "x", yref: "paper", x: t, y: 1, yanchor: "bottom", text: `${label} (step ${t})`,
                   showarrow: false, font });
    }
    const layout = {
      font, height: this.insBox.classList.contains("gs-ins-side") ? 300 : 330,
      margin: { l: 90, r: 16, t: spec.marks.length ? 30 : 12, b: 30 },
      showlegend: true, legend: { orientation: "h", x: 0, y: -0.14, yanchor: "top", font }, shapes, annotations: notes,
      hovermode: "x unified", paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
      xaxis: { range: [0, this.N], tickfont: font, gridcolor: "#e6e6e6", zeroline: false, fixedrange: true },
      yaxis: { title: { text: spec.ytitle, font }, type: spec.log ? "log" : "linear", tickfont: font,
               gridcolor: "#e6e6e6", zeroline: !spec.log, zerolinecolor: "#b8bcc6", fixedrange: true,
               ...(spec.log ? { exponentformat: "power" } : { exponentformat: "e" }) },
    };
    return P.newPlot(ch.div, traces, layout, { displayModeBar: false, responsive: true });
  }

  // the arrows at the inspected path's current point: −∇f and −m to one scale (the longer of the
  // two is L pixels), the step θ_{t+1} − θ_t at its true length, magnified to at least L/2
  arrowVectors() {
    const ins = this.ins, a = ins && ins.arrows;
    if (!a || this.hidden.has(ins.path)) return null;
    // while its hyperparameter is scrubbed, the path drawn is another run's: no arrows
    if (this.scrub && this.scrub.path === ins.path && this.scrubIndex !== null) return null;
    const p = this.paths[ins.path], t = Math.min(this.t, p.n - 1);
    const out = { t, point: [p.x[t], p.y[t]], grad: null, momentum: null, step: null };
    if (t < a.gx.length && isFinite(a.gx[t]) && isFinite(a.gy[t])) out.grad = [-a.gx[t], -a.gy[t]];
    if (a.mx && t < a.mx.length && isFinite(a.mx[t])) out.momentum = [-a.mx[t], -a.my[t]];
    if (t + 1 < p.n) out.step = [p.x[t + 1] - p.x[t], p.y[t + 1] - p.y[t]];
    return out;
  }

  drawArrows(pane, g) {
    const v = this.arrowVectors();
    if (!v || !pane.px || !pane.members.includes(this.ins.path)) { if (pane.arrowLegend) pane.arrowLegend.style.display = "none"; return; }
    const big = this.d.present ? 1.5 : 1, L = 120 * big;
    const sx = pane.px(1) - pane.px(0), sy = pane.py(1) - pane.py(0);
    const scr = (w) => (w ? [w[0] * sx, w[1] * sy] : null);
    const G = scr(v.grad), M = scr(v.momentum), S = scr(v.step);
    const len = (w) => (w ? Math.hypot(w[0], w[1]) : 0);
    const gm = Math.max(len(G), len(M));
    const kgm = gm > 0 ? L / gm : 0;
    const ls = len(S), ks = ls > 0 ? Math.max(1, (L / 2) / ls) : 0;
    const X = pane.px(v.point[0]), Y = pane.py(v.point[1]);
    const colors = this.ins.arrows.colors;
    const drawn = {};
    const arrow = (w, k, color, name) => {
      if (!w || !(k > 0) || !isFinite(w[0]) || !isFinite(w[1])) return;
      const ex = X + w[0] * k, ey = Y + w[1] * k, l = Math.hypot(ex - X, ey - Y);
      if (!(l > 1)) return;
      const ux = (ex - X) / l, uy = (ey - Y) / l, h = Math.min(18 * big, l * 0.5);
      for (const [col, wd] of [["#ffffff", 7 * big], [color, 3.5 * big]]) {
        g.strokeStyle = col; g.fillStyle = col; g.lineWidth = wd; g.lineCap = "round"; g.lineJoin = "round";
        g.beginPath(); g.moveTo(X, Y); g.lineTo(ex - ux * h * 0.6, ey - uy * h * 0.6); g.stroke();
        g.beginPath(); g.moveTo(ex, ey);
        g.lineTo(ex - ux * h - uy * h * 0.55, ey - uy * h + ux * h * 0.55);
        g.lineTo(ex - ux * h + uy * h * 0.55, ey - uy * h - ux * h * 0.55);
        g.closePath();
        if (col === "#ffffff") { g.lineWidth = 3 * big; g.stroke(); } else g.fill();
      }
      drawn[name] = [ex, ey];
    };
    g.save();
    const [rx, ry, rw, rh] = pane.rect;
    g.beginPath(); g.rect(rx, ry, rw, rh); g.clip();
    arrow(G, kgm, colors.grad, "grad");
    arrow(M, kgm, colors.momentum, "momentum");
    arrow(S, ks, colors.step, "step");
    g.restore();
    this.arrowState = { ...v, tips: drawn, scale: { gradMomentum: kgm, step: ks } };
    this.arrowLegend(pane, v, ks);
  }

  arrowLegend(pane, v, ks) {
    let box = pane.arrowLegend;
    const colors = this.ins.arrows.colors;
    // in the legend column beside the plot when there is one (it then hides nothing), else in
    // the plot's lower left corner
    const inLegend = pane.main && this.legend;
    if (!box) {
      box = pane.arrowLegend = el("div", "gs-arrows" + (inLegend ? " gs-in-legend" : ""), inLegend ? this.legend : pane.box);
      box.setAttribute("data-testid", "gs-arrows");
      box.rows = {};
      const rows = [["grad", "−∇f steepest descent"], ["momentum", "−m momentum"], ["step", "Δθ the actual step"]];
      for (const [key, name] of rows) {
        if (key === "momentum" && !this.ins.arrows.mx) continue;
        const r = el("div", "gs-arrow-row", box);
        const sw = el("span", "gs-arrow-swatch", r, "➜"); sw.style.color = colors[key];
        el("span", "gs-arrow-name", r, name);
        box.rows[key] = el("span", "gs-arrow-val", r);
      }
      box.note = el("div", "gs-arrow-note", box, "Arrows at the current point: −∇f and −m to one scale, Δθ to the plot's.");
    }
    box.style.display = "block";
    if (!inLegend) {
      const [rx, ry, rw, rh] = pane.rect;
      box.style.left = (rx + 8) + "px"; box.style.top = "auto";
      box.style.bottom = (pane.div.clientHeight - (ry + rh) + 8) + "px";
    }
    const mag = (w) => (w ? fmt(Math.hypot(w[0], w[1])) : "—");
    if (box.rows.grad) box.rows.grad.textContent = `|∇f| = ${mag(v.grad)}`;
    if (box.rows.momentum) box.rows.momentum.textContent = `|m| = ${mag(v.momentum)}`;
    if (box.rows.step) box.rows.step.textContent = `|Δθ| = ${mag(v.step)}` + (v.step && ks > 1.05 ? `, drawn ×${fmt(Number(ks.toPrecision(2)))}` : "");
  }

  // ---- time -------------------------------------------------------------------------------
  setStep(t) {
    this.t = Math.max(0, Math.min(this.N, Math.round(t)));
    this.draw();
    this.reportStep();
  }

  reportStep() {
    clearTimeout(this.stepTimer);
    this.stepTimer = setTimeout(() => { if (!this.playing) this.send("step", this.t); }, 800);
  }

  toggle() { if (this.playing) this.pause(); else this.play(); }

  play() {
    if (this.playing || !this.frames) return;
    const frames = this.frames;
    let k = frames.findIndex((s) => s > this.t);
    if (k < 0) k = 0;  // at the end: start over
    this.playing = true;
    this.stats.plays += 1;
    this.stats.playStart = performance.now();
    this.stats.playFrames = 0;
    const interval = 1000 / this.d.fps;
    let next = performance.now();
    const tick = (now) => {
      if (!this.playing) return;
      if (now >= next) {
        this.t = frames[k];
        this.draw();
        this.stats.playFrames += 1;
        k += 1;
        next += interval;
        if (next < now - interval) next = now + interval;  // fell behind: do not burst
        if (k >= frames.length) {
          this.playing = false;
          this.stats.playEnd = performance.now();
          this.draw();
          this.reportStep();
          return;
        }
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
    this.draw();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.stats.playEnd = performance.now();
    if (this.range) this.draw();
    this.reportStep();
  }

  toggleHidden(i) {
    if (i < 0 || i >= this.paths.length) return;
    if (this.hidden.has(i)) this.hidden.delete(i); else this.hidden.add(i);
    for (const ch of this.charts) {
      if (ch.div.data && ch.spec.kind !== "internal") this.P.restyle(ch.div, { visible: this.hidden.has(i) ? "legendonly" : true }, [i]);
    }
    if (this.d.view === "panels") {
      const cell = this.panes[i] && this.panes[i].box.parentElement;
      if (cell) cell.classList.toggle("gs-off", this.hidden.has(i));
    }
    this.draw();
  }

  // ---- input ------------------------------------------------------------------------------
  key(e) {
    if (!this.wrap || !this.wrap.isConnected) return;
    const tgt = e.target, tag = (tgt && tgt.tagName) || "";
    const ours = tgt && this.wrap.contains(tgt);
    if (!ours && (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (tgt && tgt.isContentEditable)
                  || (tgt && tgt.getAttribute && tgt.getAttribute("role") === "slider"))) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // our own sliders move themselves with the arrow keys, Home and End
    if (ours && tag === "INPUT" && /^(Arrow|Home|End|Page)/.test(e.key)) return;
    let done = true;
    // in a lesson: ← → (in presenter mode) and PageUp / PageDown (a presentation clicker) move
    // through the lesson's steps; Shift+← → or , and . still move one time step
    const L = this.lesson, page = e.key === "PageDown" ? 1 : e.key === "PageUp" ? -1 : 0;
    const arrow = e.shiftKey ? 0 : e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    const move = L ? (page || (this.d.present ? arrow : 0)) : 0;
    if (move) {
      const s = L.s + move;
      if (s >= 1 && s <= L.n) this.send("lesson", s);
    }
    else if (e.key === "," || e.key === ".") { this.pause(); this.setStep(this.t + (e.key === "." ? 1 : -1)); }
    else if (e.key === " " || e.code === "Space") this.toggle();
    else if (e.key === "ArrowRight") { this.pause(); this.setStep(this.t + 1); }
    else if (e.key === "ArrowLeft") { this.pause(); this.setStep(this.t - 1); }
    else if (e.key === "Home") { this.pause(); this.setStep(0); }
    else if (e.key === "End") { this.pause(); this.setStep(this.N); }
    else if (/^[1-8]$/.test(e.key)) this.toggleHidden(+e.key - 1);
    else if (e.key === "p" || e.key === "P") this.send("present", !this.d.present);
    else done = false;
    if (done) { e.preventDefault(); e.stopPropagation(); }
  }

  toData(pane, e) {
    const r = pane.canvas.getBoundingClientRect();
    const X = e.clientX - r.left, Y = e.clientY - r.top;
    const [rx, ry, rw, rh] = pane.rect;
    if (X < rx || X > rx + rw || Y < ry || Y > ry + rh) return null;
    return { X, Y, x: pane.xa.p2l(X - pane.xa._offset), y: pane.ya.p2l(Y - pane.ya._offset) };
  }

  hover(pane, e) {
    if (!pane.px) return;
    const at = this.toData(pane, e);
    const lines = [];
    if (at) {
      for (const i of pane.members) {
        if (this.hidden.has(i)) continue;
        const p = this.paths[i], last = Math.min(this.t, p.n - 1);
        let best = -1, bd = 12 * 12;
        for (let r = 0; r <= last; r++) {
          const dx = pane.px(p.x[r]) - at.X, dy = pane.py(p.y[r]) - at.Y, dd = dx * dx + dy * dy;
          if (dd <= bd) { bd = dd; best = r; }
        }
        if (best >= 0) lines.push([p, i, best]);
      }
    }
    const tip = this.tip;
    if (!lines.length) { tip.style.display = "none"; return; }
    tip.textContent = "";
    for (const [p, i, r] of lines) {
      const row = el("div", "gs-tip-row", tip);
      const sw = el("span", "gs-swatch", row); sw.style.background = p.color;
      el("span", "", row, `${i + 1}. ${p.label}: step ${r}, x = ${fmt(p.x[r])}, y = ${fmt(p.y[r])}, f = ${fmt(p.loss[r])}`);
    }
    const wr = this.wrap.getBoundingClientRect();
    tip.style.display = "block";
    tip.style.left = (e.clientX - wr.left + 16) + "px";
    tip.style.top = (e.clientY - wr.top + 16) + "px";
  }

  click(pane, e) {
    if (!pane.down || Math.hypot(e.clientX - pane.down[0], e.clientY - pane.down[1]) > 4) return;
    const at = this.toData(pane, e);
    if (at) this.send("click", { x: at.x, y: at.y });
  }

  send(name, value) {
    if (this.trigger) this.trigger(name, value);
  }
}

function ensureCss() {
  if (typeof STAGE_CSS === "undefined" || document.getElementById("gs-stage-css")) return;
  const s = document.createElement("style");
  s.id = "gs-stage-css";
  s.textContent = STAGE_CSS;
  document.head.appendChild(s);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  ensureCss();
  // the payload comes as JSON bytes (serialised once on the server, shared by its sessions)
  const payload = data && (ArrayBuffer.isView(data) || data instanceof ArrayBuffer)
    ? JSON.parse(new TextDecoder().decode(data)) : data;
  let stage = parentElement.__gsStage;
  if (!stage || !stage.root.isConnected) {
    stage = parentElement.__gsStage = new Stage(parentElement);
  }
  if (payload) stage.update(payload, setTriggerValue);
  return () => { stage.destroy(); parentElement.__gsStage = null; };
}
