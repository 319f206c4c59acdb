// The lab's drawings: the diagram (every node, or the structure view), the pictures of what each
// node computes over the input plane, and the loss and prediction curves.  All of it is SVG or
// canvas made here from numbers; the page holds no image.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const POSITIVE = [31, 95, 191], NEGATIVE = [232, 113, 10];

function element(name, attributes = {}, parent = null) {
  const item = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) item.setAttribute(key, String(value));
  if (parent) parent.appendChild(item);
  return item;
}

function text(parent, x, y, content, attributes = {}) {
  const item = element("text", { x, y, ...attributes }, parent);
  item.textContent = content;
  return item;
}

// ---------------------------------------------------------------- the diagram, built once
const parts = { nodes: [], connections: [], boxes: [] };

function buildDiagram() {
  const svg = $("diagram");
  svg.setAttribute("viewBox", `0 0 ${VIEW.width} ${VIEW.height}`);
  svg.style.width = `min(100%, ${Math.round(1.5 * VIEW.width)}px)`; // grow small networks to the pane
  if (VIEW.height * 0.8 > 0.84 * window.innerHeight) { // a tall network: near its natural size, and the pane scrolls
    svg.style.maxHeight = "none";
    svg.style.width = `${Math.round(0.9 * VIEW.width)}px`;
  }
  element("defs", {}, svg).innerHTML =
    '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">' +
    '<path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker>';
  if (VIEW.kind === "structure") return buildStructure(svg);
  VIEW.connections.forEach((layout, i) => {
    const group = element("g", { class: "connection", "data-connection": i }, svg);
    const title = element("title", {}, group);
    element("path", { d: layout.path, class: "hit" }, group);
    const wire = element("path", { d: layout.path, class: "wire", "marker-end": "url(#arrow)" }, group);
    const label = VIEW.labels && layout.label ? text(group, layout.label[0], layout.label[1], "", { class: "weight" }) : null;
    parts.connections.push({ group, title, wire, label });
  });
  VIEW.nodes.forEach((layout, i) => {
    const node = NET.nodes[i];
    const group = element("g", { class: `node ${node.kind}`, "data-node": i,
      transform: `translate(${layout.x - layout.width / 2},${layout.y - layout.height / 2})` }, svg);
    const title = element("title", {}, group);
    element("rect", { width: layout.width, height: layout.height, rx: 7 }, group);
    const left = VIEW.picture && node.kind !== "input" ? VIEW.picture + 8 : 7;
    const picture = left > 7 ? element("image", { x: 3, y: 3, width: VIEW.picture, height: VIEW.picture, class: "picture" }, group) : null;
    text(group, left, 14, `${node.name}`, { class: "name" }).append(` · ${node.activation}`);
    const forward = text(group, left, 29, "", { class: "forward" });
    const backward = text(group, left, 43, "", { class: "backward" });
    parts.nodes.push({ group, title, forward, backward, picture });
    if (picture) group.addEventListener("mouseenter", (event) => showZoom(i, event));
    if (picture) group.addEventListener("mouseleave", () => { $("zoom").hidden = true; });
  });
}

function buildStructure(svg) {
  VIEW.links.forEach((link) => {
    const a = VIEW.boxes[link.source], b = VIEW.boxes[link.target];
    const x1 = a.x + a.width, y1 = a.y + a.height / 2, x2 = b.x, y2 = b.y + b.height / 2;
    element("path", { d: `M${x1},${y1} L${x2 - 2},${y2}`, class: "wire structure", "marker-end": "url(#arrow)" }, svg);
    const [count, shape] = link.label.split(" (");  // "100352 connections" above the arrow, "(784 × 128)" below
    text(svg, (x1 + x2) / 2, (y1 + y2) / 2 - 6, count, { class: "link-label", "text-anchor": "middle" });
    if (shape) text(svg, (x1 + x2) / 2, (y1 + y2) / 2 + 14, `(${shape}`, { class: "link-label", "text-anchor": "middle" });
  });
  VIEW.boxes.forEach((box) => {
    const group = element("g", { class: `node ${box.kind}`, transform: `translate(${box.x},${box.y})` }, svg);
    element("rect", { width: box.width, height: box.height, rx: 7 }, group);
    text(group, 8, 20, box.label, { class: "name" });
    parts.boxes.push({ group, box, now: text(group, 8, 40, "", { class: "forward" }) });
  });
}

const colour = (rgb, t) => `rgb(${rgb.map((c) => Math.round(255 + (c - 255) * t)).join(",")})`;

// How far the shown step has got: which nodes have their forward values, which their gradients.
function progress(current, steps) {
  const count = NET.nodes.length;
  if (current < 0 || current >= 2 * count) return { forward: count, backward: count };
  if (current < count) return { forward: current + 1, backward: 0 };
  return { forward: count, backward: current - count + 1 };
}

function drawDiagram(shown, steps) {
  const step = steps[shown.step];
  const { forward, backward } = progress(shown.step, steps);
  const position = (node) => node.index; // the nodes are in topological order
  const done = (node) => DATA.computable && position(node) < forward; // nothing is computed for a custom activation
  const differentiated = (node) => NET.nodes.length - 1 - position(node) < backward && computed.loss !== null;
  if (VIEW.kind === "structure") {
    parts.boxes.forEach(({ group, box, now }) => {
      const here = step && step.node && box.members.includes(step.node.index);
      group.classList.toggle("current", Boolean(here));
      now.textContent = here ? `now: ${step.node.name} (${step.phase})` : "";
    });
    return;
  }
  const largest = Math.max(1e-12, ...NET.connections.map((c) => Math.abs(c.weight)));
  NET.connections.forEach((conn, i) => {
    const { group, title, wire, label } = parts.connections[i];
    const t = Math.abs(conn.weight) / largest;
    wire.style.stroke = colour(conn.weight >= 0 ? POSITIVE : NEGATIVE, 0.35 + 0.65 * t);
    wire.style.strokeWidth = String(0.8 + 3.2 * t);
    const gradient = differentiated(conn.target) ? `; ${conn.spec.gradSymbol} = ${fixed(conn.gradWeight, DIGITS)}` : "";
    title.textContent = `${conn.spec.symbol} = ${fixed(conn.weight, DIGITS)}${gradient} (click to edit)`;
    if (label) label.textContent = `${conn.spec.symbol} = ${fixed(conn.weight, DIGITS)}`;
    const active = step && step.node && ((step.phase === "forward" && conn.target === step.node) ||
      (step.phase === "backward" && (conn.source === step.node || conn.target === step.node)));
    group.classList.toggle("active", Boolean(active || (step && step.phase === "update")));
  });
  NET.nodes.forEach((node, i) => {
    const { group, title, forward: line2, backward: line3 } = parts.nodes[i];
    const s = node.spec.symbols;
    group.classList.toggle("current", Boolean(step && step.node === node));
    if (step && step.node === node && group.scrollIntoView) group.scrollIntoView({ block: "nearest", inline: "nearest" }); // keep it in view
    group.classList.toggle("pending", !done(node));
    line2.textContent = !done(node) ? "·" : node.kind === "input" ? `x = ${fixed(node.post, DIGITS)}` :
      `in ${fixed(node.pre, DIGITS)} out ${fixed(node.post, DIGITS)}`;
    line3.textContent = differentiated(node) ? `∂L/∂in ${fixed(node.gradPre, DIGITS)}` : "";
    const values = done(node) ? [`${s.pre} = ${fixed(node.pre, DIGITS)}`, `${s.post} = ${fixed(node.post, DIGITS)}`] : [];
    if (differentiated(node)) values.push(`${s.gradPost} = ${fixed(node.gradPost, DIGITS)}`, `${s.gradPre} = ${fixed(node.gradPre, DIGITS)}`);
    const edit = node.kind === "input" ? "click to edit the input" : `${s.bias} = ${fixed(node.bias, DIGITS)}; click to edit the bias`;
    title.textContent = [node.spec.title, ...values, edit].join("\n");
  });
  drawPictures();
}

// ---------------------------------------------------------------- pictures of what each node computes
let pictureCache = { key: null, values: null, source: null };

function currentPictures() {
  if (!DATA.pictures) return null;
  const key = `${state.frame}|${[...state.edits].filter(([k]) => !k.startsWith("x:")).join(";")}`;
  if (pictureCache.key === key) return pictureCache;
  const pictures = DATA.pictures;
  let values, source;
  const frame = pictures.frames[String(DATA.frames[state.frame].epoch)];
  if (frame && ![...state.edits.keys()].some((k) => !k.startsWith("x:"))) {
    const bytes = Uint8Array.from(atob(frame.bytes), (c) => c.charCodeAt(0));
    const cells = pictures.inputs === 2 ? pictures.size * pictures.size : pictures.size;
    values = pictures.nodes.map((_, j) => Array.from(bytes.subarray(j * cells, (j + 1) * cells),
      (level) => frame.low[j] + (level / 255) * (frame.high[j] - frame.low[j])));
    source = "recorded";
  } else { // an edited weight or bias, or an epoch without stored pictures: the page computes them, point by point
    const [first, second] = pictures.axes;
    const points = pictures.inputs === 2 ? second.flatMap((b) => first.map((a) => [a, b])) : first.map((a) => [a]);
    values = pictures.nodes.map(() => []);
    for (const point of points) {
      forwardPass(NET, point);
      pictures.nodes.forEach((index, j) => values[j].push(NET.nodes[index].post));
    }
    compute(); // the shown sample's numbers again
    source = "computed";
  }
  pictureCache = { key, values, source, nodes: pictures.nodes.map((i) => NET.nodes[i].name) };
  return pictureCache;
}

function paint(canvas, j, values, scale, points) {
  const pictures = DATA.pictures, size = pictures.size, context = canvas.getContext("2d");
  // a curve over one input shares its axis with the targets drawn on it
  const shown = points && pictures.inputs === 1 ? [...values, ...points.map((p) => p.y)] : values;
  const low = Math.min(...shown), high = Math.max(...shown);
  // colours around 0, or around 0.5 for a probability (sigmoid, softmax): blue above, orange below
  const centre = DATA.pictures.centres[j];
  const reach = Math.max(Math.abs(low - centre), Math.abs(high - centre), 1e-12);
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (pictures.inputs === 2) {
    const image = context.createImageData(size, size);
    values.forEach((v, k) => { // row 0 of the grid is the lowest second input: drawn at the bottom
      const row = size - 1 - Math.floor(k / size), column = k % size, at = 4 * (row * size + column);
      const rgb = colour(v >= centre ? POSITIVE : NEGATIVE, Math.abs(v - centre) / reach).match(/\d+/g).map(Number);
      image.data.set([...rgb, 255], at);
    });
    const small = document.createElement("canvas");
    small.width = small.height = size;
    small.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, canvas.width, canvas.height);
  } else {
    const span = high - low || 1;
    context.strokeStyle = "#1f5fbf";
    context.lineWidth = Math.max(1, scale);
    context.beginPath();
    values.forEach((v, k) => {
      const x = (k / (values.length - 1)) * canvas.width, y = canvas.height - 2 - ((v - low) / span) * (canvas.height - 4);
      if (k) context.lineTo(x, y); else context.moveTo(x, y);
    });
    context.stroke();
  }
  if (points) drawPoints(context, canvas, points, low, high);
}

function drawPoints(context, canvas, points, low, high) {
  const [first, second] = DATA.pictures.axes;
  const across = (v, axis) => (v - axis[0]) / (axis[axis.length - 1] - axis[0]);
  const targets = points.map((p) => p.y);
  const tLow = Math.min(...targets), tHigh = Math.max(...targets), middle = (tLow + tHigh) / 2;
  for (const p of points) {
    const x = across(p.x[0], first) * canvas.width;
    const y = DATA.pictures.inputs === 2 ? (1 - across(p.x[1], second)) * canvas.height
      : canvas.height - 2 - ((p.y - low) / (high - low || 1)) * (canvas.height - 4);
    context.beginPath();
    context.arc(x, y, 3.5, 0, 2 * Math.PI);
    context.fillStyle = DATA.pictures.inputs === 2 ? (p.y > middle ? "#0b2f73" : "#8a3600") : "#222"; // darker than the picture
    context.fill();
    context.strokeStyle = "white";
    context.lineWidth = 1.5;
    context.stroke();
  }
}

function drawPictures() {
  if (!DATA.pictures) return;
  const pictures = currentPictures();
  DATA.pictures.nodes.forEach((index, j) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 88;
    paint(canvas, j, pictures.values[j], 1, null);
    parts.nodes[index].picture.setAttribute("href", canvas.toDataURL("image/png"));
  });
}

function showZoom(index, event) {
  const j = DATA.pictures.nodes.indexOf(index);
  const node = NET.nodes[index];
  const k = NET.outputs.indexOf(node);
  const points = k >= 0 ? DATA.samples.x.map((x, i) => ({ x, y: DATA.samples.y[i] && DATA.samples.y[i][k] })).filter((p) => p.y !== null && p.y !== undefined) : null;
  paint($("zoom-canvas"), j, currentPictures().values[j], 2, points);
  const axes = DATA.pictures.axes;
  $("zoom-title").textContent = `${node.spec.symbols.post} over ${NET.inputs.map((n) => n.name).join(" and ")}` +
    (points ? " (dots: training targets)" : "");
  $("zoom-range").textContent = `${NET.inputs[0].name}: ${fixed(axes[0][0], 2)} to ${fixed(axes[0][axes[0].length - 1], 2)}` +
    (axes[1] ? `; ${NET.inputs[1].name}: ${fixed(axes[1][0], 2)} (bottom) to ${fixed(axes[1][axes[1].length - 1], 2)} (top)` : "");
  const zoom = $("zoom");
  zoom.hidden = false;
  zoom.style.left = `${event.pageX + 16}px`;
  zoom.style.top = `${event.pageY - 40}px`;
}

// ---------------------------------------------------------------- curves
const CHART = { width: 430, height: 190, left: 52, right: 14, top: 22, bottom: 34 };
const charts = [];

function chartScale(values, log) {
  const finite = values.filter((v) => v !== null && Number.isFinite(v) && (!log || v > 0));
  let low = Math.min(...finite), high = Math.max(...finite);
  if (!finite.length) { low = 0; high = 1; }
  if (log) { low = Math.log10(low); high = Math.log10(high); }
  if (high === low) { low -= 1; high += 1; }
  return { low, high, y: (v) => CHART.top + (CHART.height - CHART.top - CHART.bottom) * (1 - ((log ? Math.log10(v) : v) - low) / (high - low)) };
}

function chart(svg, title, series, log) {
  svg.innerHTML = "";
  const last = Math.max(1, DATA.curves.epochsRun);
  const x = (epoch) => CHART.left + (CHART.width - CHART.left - CHART.right) * epoch / last;
  const scale = chartScale(series.flatMap((s) => s.values), log);
  const bottom = CHART.height - CHART.bottom;
  element("line", { x1: CHART.left, y1: bottom, x2: CHART.width - CHART.right, y2: bottom, class: "axis" }, svg);
  element("line", { x1: CHART.left, y1: CHART.top, x2: CHART.left, y2: bottom, class: "axis" }, svg);
  text(svg, CHART.left, 14, title, { class: "chart-title" });
  const label = (v) => {
    const value = log ? 10 ** v : v;
    return value !== 0 && Math.abs(value) < 1e-2 ? value.toExponential(1) : value.toPrecision(3);
  };
  text(svg, CHART.left - 4, CHART.top + 4, label(scale.high), { "text-anchor": "end" });
  text(svg, CHART.left - 4, bottom, label(scale.low), { "text-anchor": "end" });
  text(svg, CHART.left, bottom + 14, "0", { "text-anchor": "middle" });
  text(svg, x(last), bottom + 14, String(last), { "text-anchor": "middle" });
  text(svg, (CHART.left + CHART.width) / 2, bottom + 28, "epoch (click to jump)", { "text-anchor": "middle" });
  series.forEach((s, i) => {
    const points = s.values.map((v, k) => [s.epochs[k], v]).filter(([, v]) => v !== null && Number.isFinite(v) && (!log || v > 0));
    element("polyline", { points: points.map(([e, v]) => `${x(e).toFixed(1)},${scale.y(v).toFixed(1)}`).join(" "),
      class: `series series-${s.colour ?? i}${s.dashed ? " dashed" : ""}` }, svg);
    text(svg, CHART.width - CHART.right, CHART.top + 12 + 13 * i, s.name, { class: `legend series-${s.colour ?? i}`, "text-anchor": "end" });
  });
  const epoch = DATA.frames[state.frame].epoch;
  element("line", { x1: x(epoch), x2: x(epoch), y1: CHART.top, y2: bottom, class: "marker" }, svg);
  charts.push({ svg, x, last });
}

function drawCurves() {
  charts.length = 0;
  const curves = DATA.curves, log = $("log-axis").checked;
  const loss = [{ name: "training loss", epochs: curves.epochs, values: curves.loss }];
  if (curves.validation) loss.push({ name: "validation loss", epochs: curves.epochs, values: curves.validation });
  chart($("loss-chart"), `loss${log ? " (log axis)" : ""}`, loss, log);
  $("accuracy-chart").style.display = curves.accuracy ? "" : "none";
  if (curves.accuracy) {
    const accuracy = [{ name: "training accuracy", epochs: curves.epochs, values: curves.accuracy }];
    if (curves.valAccuracy) accuracy.push({ name: "validation accuracy", epochs: curves.epochs, values: curves.valAccuracy });
    chart($("accuracy-chart"), "accuracy", accuracy, false);
  }
  const outputs = NET.outputs.slice(0, 3); // more lines than three would hide each other
  const predictions = outputs.map((node, k) => ({ name: `${node.name} (watched)`, epochs: curves.predictionEpochs, values: curves.predictions.map((row) => row[k]) }));
  outputs.forEach((node, k) => predictions.push({ name: `target ${fixed(curves.target[k], 3)}`, epochs: [0, curves.epochsRun], values: [curves.target[k], curves.target[k]], dashed: true, colour: k }));
  const more = NET.outputs.length > 3 ? ` (3 of ${NET.outputs.length} outputs)` : "";
  chart($("prediction-chart"), `watched sample: prediction, target${more}`, predictions, false);
}

function epochAt(event) {
  const found = charts.find((c) => c.svg.contains(event.target));
  if (!found) return null;
  const box = found.svg.getBoundingClientRect();
  const x = ((event.clientX - box.left) / box.width) * CHART.width;
  return Math.round(((x - CHART.left) / (CHART.width - CHART.left - CHART.right)) * found.last);
}

