// The body map: draws the diagram once with plotly.js, hit-tests clicks and taps in the browser
// against the exported region polygons, shades the answer at once, zooms and pans without trapping
// the page, and gives the keyboard and screen readers the same choices as the mouse.
//
// Python stays the one owner of the selection: a click is shaded here at once (a prediction by the
// same rule as figure.emphasis) and sent; the highlight Python then sends (body_map_highlight.js)
// replaces the prediction. Data from the content file is only ever set as text, never as markup.

const SVG = "http://www.w3.org/2000/svg";
const registry = (window.meridianMap ??= { maps: {}, highlights: {}, plotly: null });
const DOUBLE_TAP_MS = 350;
const TAP_SLOP_PX = 8;
const ZOOM_STEP = 1.6;
const MAX_ZOOM = 8;
// A point marker takes clicks this far past its drawn edge: a little for a mouse, more for a finger.
const HIT_SLOP_PX = { mouse: 2, pen: 2, touch: 6 };

function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  registry.plotly ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => {
      registry.plotly = null;
      reject(new Error(`plotly.js did not load from ${url}`));
    };
    document.head.append(script);
  });
  return registry.plotly;
}

function element(tag, className, attributes = {}) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  if (className) node.setAttribute("class", className);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function inPolygon([x, y], polygon) {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

class BodyMap {
  constructor(root, id) {
    this.id = id;
    this.root = root;
    this.drawing = null;
    this.drawnView = null;
    this.state = null; // the highlight on screen: Python's, or a click's prediction of it
    this.confirmed = null; // the last highlight Python sent
    this.sent = 0; // clicks sent; Python echoes the last one it took in as `ack`
    this.zoomsSent = 0; // likewise for zooms (`zoom_ack`): the part shown goes into the link
    this.zoom = null; // {x: [x0, x1], y: [y0, y1]} while zoomed in
    this.pointers = new Map();
    this.gesture = null;
    this.lastTap = null;
    this.active = null; // the region the keyboard is on
    this.index = { lines: [], markers: [] };
    this.build();
  }

  build() {
    const shell = element("div", "mm-map");
    this.toolbar = element("div", "mm-toolbar", { role: "toolbar", "aria-label": "Zoom the diagram" });
    const buttons = [
      ["+", "Zoom in", () => this.zoomBy(ZOOM_STEP)],
      ["−", "Zoom out", () => this.zoomBy(1 / ZOOM_STEP)],
      ["Reset", "Reset zoom", () => this.resetZoom()],
    ];
    for (const [text, label, action] of buttons) {
      const button = element("button", "mm-button", { type: "button", "aria-label": label, title: label });
      button.textContent = text;
      button.addEventListener("click", action);
      this.toolbar.append(button);
    }
    this.stage = element("div", "mm-stage");
    this.plot = element("div", "mm-plot", { "aria-hidden": "true" });
    this.surface = element("div", "mm-surface", {
      role: "listbox",
      tabindex: "0",
      "aria-multiselectable": "true",
      "aria-label": "Body diagram: use the arrow keys to move between areas, Enter or Space to choose one",
    });
    this.top = element("svg:svg", "mm-top", { "aria-hidden": "true", focusable: "false" });
    this.topLayer = element("svg:g");
    this.top.append(this.topLayer);
    this.options = element("div", "mm-options");
    this.surface.append(this.top, this.options);
    this.tip = element("div", "mm-tip", { role: "tooltip" });
    this.tip.hidden = true;
    this.under = element("svg:g", "mm-under");
    this.stage.append(this.plot, this.surface, this.tip);
    this.live = element("p", "mm-live", { "aria-live": "polite" });
    this.message = element("p", "mm-message");
    this.message.hidden = true;
    shell.append(this.toolbar, this.stage, this.message, this.live);
    // Appended, not replacing: the root also holds the component's stylesheet.
    this.root.querySelector(":scope > .mm-map")?.remove();
    this.root.append(shell);
    this.listen();
  }

  listen() {
    const surface = this.surface;
    surface.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    surface.addEventListener("pointermove", (e) => this.onPointerMove(e));
    surface.addEventListener("pointerup", (e) => this.onPointerUp(e));
    surface.addEventListener("pointercancel", (e) => this.onPointerCancel(e));
    surface.addEventListener("pointerleave", (e) => {
      if (e.pointerType === "mouse") this.hover(null);
    });
    surface.addEventListener("keydown", (e) => this.onKey(e));
    surface.addEventListener("focus", () => this.showFocus());
    surface.addEventListener("blur", () => this.showFocus());
    this.resizer = new ResizeObserver(() => this.fit());
    this.resizer.observe(this.stage);
    window.addEventListener("resize", () => this.fit());
  }

  // -- drawing ------------------------------------------------------------------------------
  async draw(drawing, plotlyUrl) {
    performance.mark("meridian-map:drawing-received");
    this.drawing = drawing;
    let Plotly;
    try {
      Plotly = await loadPlotly(plotlyUrl);
    } catch (error) {
      this.message.hidden = false;
      this.message.textContent = "The drawing could not be loaded. Choose areas from the list above instead.";
      return;
    }
    performance.mark("meridian-map:plotly-ready");
    if (this.drawing !== drawing) return; // a newer drawing came in while plotly.js loaded
    if (this.drawnView !== drawing.view) {
      this.zoom = null; // a new view starts whole (Python clears its zoom too)
      this.root.dataset.zoom = "1";
    }
    this.drawnView = drawing.view;
    const layout = structuredClone(drawing.figure.layout);
    layout.height = this.fittedHeight();
    layout.autosize = true;
    if (this.zoom) {
      layout.xaxis.range = [...this.zoom.x];
      layout.yaxis.range = [...this.zoom.y];
    }
    this.regions = drawing.regions;
    this.regionById = new Map(drawing.regions.map((r) => [r.id, r]));
    this.buildOptions();
    this.header = null; // the drawing comes with the header's long words: measured again
    await Plotly.react(this.plot, drawing.figure.data, layout, {
      staticPlot: true,
      displayModeBar: false,
      responsive: false,
    });
    this.afterDraw();
    await this.fitHeader();
    performance.mark("meridian-map:drawn");
    this.root.dataset.drawn = String((Number(this.root.dataset.drawn) || 0) + 1);
  }

  fittedHeight() {
    // The whole body on one screen: at most the figure's own height, at least enough to read.
    const natural = this.drawing.figure.layout.height;
    // A student's labels are laid out for the figure's own height (their text keeps its size):
    // squeezed into a short window (200 % zoom) they would pile up, so the page scrolls instead.
    if (this.drawing.figure.layout.meta?.labelled) return natural;
    // Room is left for the zoom buttons above it and Streamlit's top bar, so both stay in sight.
    return Math.round(Math.max(320, Math.min(natural, window.innerHeight - 130)));
  }

  fit() {
    if (!this.drawing || !window.Plotly || !this.plot._fullLayout) return;
    const height = this.fittedHeight();
    const width = this.stage.clientWidth;
    if (width === this.fittedWidth && height === this.plot._fullLayout.height) return;
    this.fittedWidth = width;
    // The ranges are given again: plotly.js widened one to the old shape, and would keep it.
    const shown = this.zoom || this.layoutRanges();
    window.Plotly.relayout(this.plot, { height, width, "xaxis.range": [...shown.x], "yaxis.range": [...shown.y] })
      .then(() => {
        this.afterDraw();
        return this.fitHeader();
      });
  }

  // The header at the plot's top edges (which side is which): its long words while both fit on one
  // line with room between them, else the short ones (figure.NARROW_SIDE_LABELS), so that they never
  // run together however narrow the plot. The long words are measured once per drawing, as drawn.
  fitHeader() {
    const notes = this.drawing?.figure.layout.annotations || [];
    const narrow = this.drawing?.style.narrow_header;
    if (!narrow || notes.length < 2 || !this.size) return Promise.resolve();
    if (!this.header) {
      const width = (i) =>
        this.plot.querySelector(`g.annotation[data-index="${i}"] text.annotation-text`)?.getBoundingClientRect()
          .width || 0;
      this.header = { words: "long", widths: [width(0), width(1)] };
    }
    const [left, right] = this.header.widths;
    const words = left + right + this.drawing.style.header_gap <= this.size.w ? "long" : "narrow";
    if (words === this.header.words) {
      this.root.dataset.header = words;
      return Promise.resolve();
    }
    this.header.words = words;
    const texts = words === "long" ? notes.map((note) => note.text) : narrow;
    return window.Plotly.relayout(this.plot, { "annotations[0].text": texts[0], "annotations[1].text": texts[1] })
      .then(() => {
        this.afterDraw();
        this.root.dataset.header = words;
      });
  }

  layoutRanges() {
    const { xaxis, yaxis } = this.drawing.figure.layout;
    return { x: [...xaxis.range], y: [...yaxis.range] };
  }

  // The whole drawing as shown at this size: plotly.js widens one of the figure's ranges about its
  // centre so that centimetres stay square.
  fullRanges() {
    const { x, y } = this.layoutRanges();
    const perPixel = Math.max((x[1] - x[0]) / this.size.w, (y[1] - y[0]) / this.size.h);
    const around = ([a, b], pixels) => [(a + b) / 2 - (perPixel * pixels) / 2, (a + b) / 2 + (perPixel * pixels) / 2];
    return { x: around(x, this.size.w), y: around(y, this.size.h) };
  }

  // After every plotly.js draw: find what to restyle, and lay the highlight back on.
  afterDraw() {
    const gd = this.plot;
    const layout = gd._fullLayout;
    if (!layout) return;
    this.fittedWidth = this.stage.clientWidth;
    this.size = layout._size;
    this.xaxis = layout.xaxis;
    this.yaxis = layout.yaxis;
    this.full = this.fullRanges();
    const lines = [];
    const markers = [];
    const groups = gd.querySelectorAll(".scatterlayer > g.trace");
    let bodyGroup = null;
    for (const group of groups) {
      const trace = group.__data__?.[0]?.trace;
      const meta = trace?.meta;
      if (!meta) continue;
      if (meta.role === "body") bodyGroup = group;
      if (meta.role === "line" || meta.role === "core" || meta.role === "deep") lines.push({ group, meta, base: trace.opacity ?? 1 });
      if (meta.role === "points") {
        const codes = trace.customdata || [];
        for (const path of group.querySelectorAll("path.point")) {
          const i = path.__data__?.i;
          if (i === undefined) continue;
          markers.push({
            path,
            code: codes[i],
            channel: meta.channel,
            x: trace.x[i],
            y: trace.y[i],
            transform: path.getAttribute("transform") || "",
            group,
          });
        }
        lines.push({ group, meta, base: 1 });
      }
    }
    if (bodyGroup) bodyGroup.after(this.under);
    this.index = { lines, markers };
    this.top.setAttribute("width", layout.width);
    this.top.setAttribute("height", layout.height);
    this.topLayer.setAttribute("transform", `translate(${this.size.l},${this.size.t})`);
    this.surface.classList.toggle("mm-zoomed", Boolean(this.zoom));
    if (!this.confirmed && registry.highlights[this.id]) this.confirm(registry.highlights[this.id]);
    else {
      this.apply(this.state);
      if (this.confirmed) this.adoptZoom(this.confirmed);
    }
  }

  // -- the highlight ------------------------------------------------------------------------
  confirm(highlight) {
    this.confirmed = highlight;
    this.root.dataset.ack = String(highlight.ack ?? 0);
    this.root.dataset.zoomAck = String(highlight.zoom_ack ?? 0);
    // A click sent since that rerun began is still on its way: keep showing its prediction.
    if ((highlight.ack ?? 0) < this.sent && this.state?.predicted) return;
    this.apply(highlight);
    this.adoptZoom(highlight);
  }

  // The link's zoom (a page opened from it, Back): taken unless a zoom of ours is still on its way.
  adoptZoom(highlight) {
    if (!this.xaxis || highlight.view !== this.drawing.view || (highlight.zoom_ack ?? 0) < this.zoomsSent) return;
    const wanted = highlight.zoom;
    const asked = JSON.stringify([highlight.view, wanted]);
    if (asked === this.adopted) return; // taken already (the drawing may show it clamped)
    this.adopted = asked;
    const shown = this.zoom ? [...this.zoom.x, ...this.zoom.y] : null;
    const same = wanted === null ? shown === null : shown !== null && wanted.every((v, i) => Math.abs(v - shown[i]) < 0.15);
    if (!same) this.setRanges(wanted && wanted.slice(0, 2), wanted && wanted.slice(2), { quiet: true });
  }

  emphasis(state) {
    const channels = new Set(state.extra.channels);
    const points = new Set(state.extra.points);
    let active = state.extra.active;
    for (const id of state.regions) {
      const region = this.regionById?.get(id);
      if (!region) continue;
      active = true;
      region.channels.forEach((c) => channels.add(c));
      region.points.forEach((p) => points.add(p));
    }
    return { active, channels, points };
  }

  apply(state) {
    if (!state || !this.drawing || !this.xaxis) {
      this.state = state;
      return;
    }
    this.state = state;
    const style = this.drawing.style;
    const focus = this.emphasis(state);
    const path = (polygons) => this.pathOf(polygons);

    const shapes = [];
    for (const served of state.served) {
      const d = path(served.regions.flatMap((id) => this.regionById.get(id)?.polygons || []));
      shapes.push(element("svg:path", "mm-served", { d, fill: served.colour, stroke: served.colour }));
    }
    for (const id of state.regions) {
      const region = this.regionById.get(id);
      if (!region) continue;
      shapes.push(element("svg:path", "mm-selected", {
        d: path(region.polygons), fill: style.highlight_fill, stroke: style.highlight_line, "data-region": id,
      }));
    }
    if (state.question && this.regionById.get(state.question)) {
      const region = this.regionById.get(state.question);
      shapes.push(element("svg:path", "mm-selected mm-question", {
        d: path(region.polygons), fill: style.highlight_fill, stroke: style.highlight_line,
      }));
    }
    this.under.replaceChildren(...shapes);

    for (const { group, meta, base } of this.index.lines) {
      const strong = !focus.active || focus.channels.has(meta.channel);
      group.style.opacity = String(strong ? base : style.faded);
    }
    const scale = style.key_point_size / style.point_size;
    for (const marker of this.index.markers) {
      const key = focus.active && focus.points.has(marker.code);
      marker.path.style.display = state.calm && !key ? "none" : "";
      marker.path.setAttribute("transform", key ? `${marker.transform} scale(${scale})` : marker.transform);
      marker.key = key;
    }

    const rings = [];
    for (const ring of state.rings) {
      for (const marker of this.index.markers.filter((m) => m.code === ring.code)) {
        rings.push(element("svg:circle", "mm-ring", {
          cx: this.xaxis.l2p(marker.x), cy: this.yaxis.l2p(marker.y), r: 11, stroke: ring.colour,
        }));
      }
    }
    if (state.mark) {
      const [x, y] = state.mark;
      rings.push(element("svg:path", "mm-mark", {
        d: `M${this.xaxis.l2p(x) - 7},${this.yaxis.l2p(y) - 7}l14,14m0,-14l-14,14`,
      }));
    }
    this.rings = rings;
    this.drawTop();
    for (const option of this.options.children) {
      option.setAttribute("aria-selected", String(state.regions.includes(option.dataset.region)));
    }
    this.root.dataset.regions = state.regions.join(",");
    this.root.dataset.predicted = state.predicted ? "1" : "0";
  }

  // SVG path data for polygons in figure centimetres, in the plot area's pixels.
  pathOf(polygons) {
    const px = ([x, y]) => `${this.xaxis.l2p(x).toFixed(1)},${this.yaxis.l2p(y).toFixed(1)}`;
    return polygons.map((p) => `M${p.map(px).join("L")}Z`).join("");
  }

  drawTop() {
    const extra = [];
    const outline = (region, className) => element("svg:path", className, { d: this.pathOf(region.polygons) });
    if (this.hovered) extra.push(outline(this.hovered, "mm-hover"));
    if (this.active && this.surface.matches(":focus-visible")) extra.push(outline(this.active, "mm-focus"));
    this.topLayer.replaceChildren(...extra, ...(this.rings || []));
  }

  // -- clicks and taps ----------------------------------------------------------------------
  toData(clientX, clientY) {
    const rect = this.plot.getBoundingClientRect();
    const px = clientX - rect.left - this.size.l;
    const py = clientY - rect.top - this.size.t;
    return { px, py, xy: [this.xaxis.p2l(px), this.yaxis.p2l(py)] };
  }

  hit(clientX, clientY, pointerType = "mouse") {
    const { px, py, xy } = this.toData(clientX, clientY);
    const slop = HIT_SLOP_PX[pointerType] ?? HIT_SLOP_PX.mouse;
    let best = null;
    let bestDistance = Infinity;
    for (const marker of this.index.markers) {
      if (marker.path.style.display === "none") continue;
      const size = marker.key ? this.drawing.style.key_point_size : this.drawing.style.point_size;
      const distance = Math.hypot(this.xaxis.l2p(marker.x) - px, this.yaxis.l2p(marker.y) - py);
      if (distance <= size / 2 + slop && distance < bestDistance) {
        best = marker;
        bestDistance = distance;
      }
    }
    const region = this.regions.find((r) => r.polygons.some((polygon) => inPolygon(xy, polygon))) || null;
    return { xy, region, point: best };
  }

  select(hit) {
    const base = this.state || this.confirmed;
    if (!base) return;
    const locate = base.locate;
    const payload = {
      view: this.drawing.view,
      x: hit.xy[0],
      y: hit.xy[1],
      region: hit.region?.id ?? null,
      point: locate ? null : hit.point?.code ?? null,
    };
    if (!locate && !payload.point && !payload.region) return; // off the body: nothing to choose
    payload.seq = ++this.sent;
    this.root.dataset.sent = String(this.sent);
    const regions = [...base.regions];
    if (locate) {
      // The answer is scored where it fell; mark the spot until Python rings the true one.
    } else if (payload.point) {
      if (payload.region && !regions.includes(payload.region)) regions.push(payload.region);
    } else if (regions.includes(payload.region)) {
      regions.splice(regions.indexOf(payload.region), 1);
    } else {
      regions.push(payload.region);
    }
    payload.regions = regions; // the areas this click leaves chosen: nothing is lost if clicks are merged
    const rings = payload.point
      ? [{ code: payload.point, colour: this.drawing.style.colours[payload.point.slice(0, 2)] }]
      : base.rings;
    this.apply({ ...base, regions, rings, predicted: true, mark: locate ? hit.xy : null });
    if (!locate) this.announce(payload.point ? `Point ${payload.point}` : hit.region.label, regions);
    this.trigger("click", payload);
  }

  announce(name, regions) {
    const chosen = regions.map((id) => this.regionById.get(id)?.label).filter(Boolean);
    this.live.textContent = chosen.length
      ? `${name}. Chosen: ${chosen.join(", ")}.`
      : `${name}. No area chosen.`;
  }

  onPointerDown(event) {
    if (!this.xaxis) return;
    if (event.pointerType === "mouse" && event.button !== 0) return;
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.pointers.size === 1) {
      this.gesture = { start: { x: event.clientX, y: event.clientY }, at: performance.now(), moved: false };
      if (event.pointerType === "mouse") event.preventDefault(); // no text selection while panning
    } else if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      this.gesture = { pinch: { distance: Math.hypot(a.x - b.x, a.y - b.y), mid: this.mid(a, b) }, moved: true };
    }
    this.surface.setPointerCapture?.(event.pointerId);
  }

  mid(a, b) {
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }

  onPointerMove(event) {
    if (!this.xaxis) return;
    if (!this.pointers.has(event.pointerId)) {
      if (event.pointerType === "mouse") this.hover(event);
      return;
    }
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const gesture = this.gesture;
    if (!gesture) return;
    if (gesture.pinch && this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const mid = this.mid(a, b);
      const scale = Math.hypot(a.x - b.x, a.y - b.y) / gesture.pinch.distance;
      this.preview(gesture.pinch.mid, mid, scale);
      gesture.last = { mid, scale };
      return;
    }
    const dx = event.clientX - gesture.start.x;
    const dy = event.clientY - gesture.start.y;
    if (Math.hypot(dx, dy) > TAP_SLOP_PX) gesture.moved = true;
    if (gesture.moved && this.zoom) {
      this.preview(gesture.start, { x: event.clientX, y: event.clientY }, 1);
      gesture.last = { mid: { x: event.clientX, y: event.clientY }, scale: 1 };
    }
  }

  onPointerUp(event) {
    const gesture = this.gesture;
    this.pointers.delete(event.pointerId);
    if (!gesture) return;
    if (gesture.pinch) {
      if (this.pointers.size === 0) {
        this.gesture = null;
        if (gesture.last) this.zoomTo(gesture.pinch.mid, gesture.last.mid, gesture.last.scale);
      }
      return;
    }
    this.gesture = null;
    if (gesture.moved) {
      if (gesture.last) this.zoomTo(gesture.start, gesture.last.mid, 1);
      return;
    }
    this.tap(event);
  }

  onPointerCancel(event) {
    // The browser took the gesture (a swipe that scrolls the page): nothing was chosen.
    this.pointers.delete(event.pointerId);
    if (this.pointers.size === 0) {
      this.gesture = null;
      this.preview(null);
    }
  }

  tap(event) {
    const now = event.timeStamp; // when it happened, however busy the page was since
    const last = this.lastTap;
    if (last && now - last.at < DOUBLE_TAP_MS && Math.hypot(event.clientX - last.x, event.clientY - last.y) < 20) {
      this.lastTap = null;
      const spot = { x: event.clientX, y: event.clientY };
      this.zoomTo(spot, spot, ZOOM_STEP); // a double tap or double click zooms in on the spot
      return;
    }
    this.lastTap = { at: now, x: event.clientX, y: event.clientY };
    this.tip.hidden = true;
    this.select(this.hit(event.clientX, event.clientY, event.pointerType));
  }

  hover(event) {
    let region = null;
    if (event && !this.gesture) {
      const found = this.hit(event.clientX, event.clientY);
      region = found.point ? null : found.region;
      if (found.point) this.showTip(event, this.drawing.cards[found.point.code]);
      else if (found.region) this.showTip(event, { title: found.region.label, lines: [] });
      else this.tip.hidden = true;
    } else {
      this.tip.hidden = true;
    }
    if (region !== this.hovered) {
      this.hovered = region;
      this.drawTop();
    }
  }

  showTip(event, card) {
    if (!card) return;
    const title = element("strong");
    title.textContent = card.title;
    const lines = card.lines.map((line) => {
      const node = element("span");
      node.textContent = line;
      return node;
    });
    this.tip.replaceChildren(title, ...lines);
    this.tip.hidden = false;
    const stage = this.stage.getBoundingClientRect();
    const left = Math.min(event.clientX - stage.left + 14, stage.width - this.tip.offsetWidth - 4);
    const top = event.clientY - stage.top + 14;
    this.tip.style.left = `${Math.max(4, left)}px`;
    this.tip.style.top = `${top + this.tip.offsetHeight > stage.height ? top - this.tip.offsetHeight - 24 : top}px`;
  }

  // -- zoom and pan -------------------------------------------------------------------------
  // While a finger or the mouse moves, the drawing is only moved by CSS (cheap); at the end the
  // axes take the new ranges and plotly.js draws once, so labels and markers keep their size.
  preview(from, to, scale) {
    const layers = [this.plot, this.top];
    for (const layer of layers) {
      if (!from) {
        layer.style.transform = "";
        continue;
      }
      const stage = this.stage.getBoundingClientRect();
      const ox = from.x - stage.left;
      const oy = from.y - stage.top;
      layer.style.transformOrigin = `${ox}px ${oy}px`;
      layer.style.transform = `translate(${to.x - from.x}px, ${to.y - from.y}px) scale(${scale})`;
    }
  }

  // Zoom by `scale` so that the spot under `from` (client px) ends up under `to`.
  zoomTo(from, to, scale) {
    if (!this.xaxis) return;
    this.preview(null); // measure against the drawing as plotly.js placed it, not as the gesture moved it
    const start = this.toData(from.x, from.y);
    const end = this.toData(to.x, to.y);
    const width = this.size.w;
    const height = this.size.h;
    const pixel = (p, axis, mid) => axis.p2l(mid.from + (p - mid.to) / scale);
    const x = [0, width].map((p) => pixel(p, this.xaxis, { from: start.px, to: end.px }));
    const y = [height, 0].map((p) => pixel(p, this.yaxis, { from: start.py, to: end.py }));
    this.setRanges(x, y);
  }

  zoomBy(factor) {
    if (!this.xaxis) return;
    const rect = this.plot.getBoundingClientRect();
    const centre = { x: rect.left + this.size.l + this.size.w / 2, y: rect.top + this.size.t + this.size.h / 2 };
    this.zoomTo(centre, centre, factor);
  }

  resetZoom() {
    this.setRanges(null);
  }

  // Show these ranges (clamped to the drawing, at most MAX_ZOOM in); unless `quiet`, tell Python.
  setRanges(x, y, { quiet = false } = {}) {
    const full = this.full;
    let ranges = null;
    if (x) {
      const fullWidth = full.x[1] - full.x[0];
      const fullHeight = full.y[1] - full.y[0];
      let w = x[1] - x[0];
      let h = y[1] - y[0];
      const shrink = Math.max(1, fullWidth / MAX_ZOOM / w, fullHeight / MAX_ZOOM / h);
      const grow = Math.min(1, fullWidth / w, fullHeight / h);
      const factor = shrink > 1 ? shrink : grow;
      const cx = (x[0] + x[1]) / 2;
      const cy = (y[0] + y[1]) / 2;
      w *= factor;
      h *= factor;
      const clamp = (c, half, lo, hi) => Math.min(Math.max(c, lo + half), hi - half);
      const nx = clamp(cx, w / 2, full.x[0], full.x[1]);
      const ny = clamp(cy, h / 2, full.y[0], full.y[1]);
      if (w < fullWidth * 0.999 || h < fullHeight * 0.999) {
        ranges = { x: [nx - w / 2, nx + w / 2], y: [ny - h / 2, ny + h / 2] };
      }
    }
    this.zoom = ranges;
    const shown = ranges || full;
    this.preview(null);
    window.Plotly.relayout(this.plot, { "xaxis.range": shown.x, "yaxis.range": shown.y }).then(() => {
      this.afterDraw();
      this.root.dataset.zoom = ranges ? ((full.x[1] - full.x[0]) / (ranges.x[1] - ranges.x[0])).toFixed(2) : "1";
    });
    if (!quiet) this.adopted = null; // the person moved it: a link's zoom is news again
    if (!quiet && this.setState) {
      const payload = { view: this.drawing.view, ranges: ranges && [...ranges.x, ...ranges.y], seq: ++this.zoomsSent };
      this.root.dataset.zoomSent = String(this.zoomsSent);
      this.setState("zoom", payload);
    }
  }

  // -- keyboard -----------------------------------------------------------------------------
  buildOptions() {
    const options = this.drawing.regions.map((region) => {
      const option = element("div", "mm-option", {
        role: "option",
        id: `${this.id}-option-${region.id}`,
        "aria-selected": "false",
      });
      option.dataset.region = region.id;
      option.textContent = region.label;
      return option;
    });
    this.options.replaceChildren(...options);
    if (this.active && !this.regionById.get(this.active.id)) this.active = null;
  }

  onKey(event) {
    const moves = { ArrowUp: [0, 1], ArrowDown: [0, -1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    if (moves[event.key]) {
      event.preventDefault();
      this.moveActive(...moves[event.key]);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (!this.active) return this.moveActive(0, 0);
      this.select({ xy: this.active.anchor, region: this.active, point: null });
    } else if (event.key === "+" || event.key === "=") {
      this.zoomBy(ZOOM_STEP);
    } else if (event.key === "-") {
      this.zoomBy(1 / ZOOM_STEP);
    } else if (event.key === "0") {
      this.resetZoom();
    }
  }

  // The nearest area in the arrow's direction, on screen (left and right as drawn).
  moveActive(dx, dy) {
    const regions = this.regions || [];
    if (!regions.length) return;
    let next = null;
    if (!this.active) {
      next = regions.find((r) => (this.state?.regions || []).includes(r.id)) || regions[0];
    } else {
      const [ax, ay] = this.active.anchor;
      let best = Infinity;
      for (const region of regions) {
        if (region === this.active) continue;
        const ex = region.anchor[0] - ax;
        const ey = region.anchor[1] - ay;
        const along = ex * dx + ey * dy;
        if (along <= 0.5) continue;
        const across = Math.abs(ex * dy - ey * dx);
        const score = along + 2 * across;
        if (score < best) {
          best = score;
          next = region;
        }
      }
    }
    if (!next) return;
    this.active = next;
    this.surface.setAttribute("aria-activedescendant", `${this.id}-option-${next.id}`);
    this.root.dataset.active = next.id;
    this.drawTop();
  }

  showFocus() {
    if (this.xaxis) this.drawTop();
  }
}

export default function mount({ data: sent, parentElement, setTriggerValue, setStateValue }) {
  // Called again with the same element whenever the drawing changes: the map is made once.
  // Python sends the drawing as JSON text (cheaper for the server than a dict: see body_map.py).
  const data = typeof sent === "string" ? JSON.parse(sent) : sent;
  let map = parentElement.__bodyMap;
  if (!map) {
    map = new BodyMap(parentElement, data.id);
    parentElement.__bodyMap = map;
  }
  registry.maps[data.id] = map;
  map.trigger = setTriggerValue;
  map.setState = setStateValue;
  map.draw(data.drawing, data.plotly_url);
}
