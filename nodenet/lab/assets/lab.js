// The lab page: state, stepping, editing and the URL fragment.  The numbers come from textbook.js,
// the drawings from drawing.js; DATA is the JSON that nodenet/lab/data.py wrote into the page.
"use strict";

const DATA = JSON.parse(document.getElementById("lab-data").textContent);
const VIEW = JSON.parse(document.getElementById("lab-view").textContent);
const NET = buildNetwork(DATA);
const $ = (id) => document.getElementById(id);

function decodeFloats(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Float64Array(bytes.buffer);
}
DATA.frames.forEach((frame) => {
  frame.values = decodeFloats(frame.parameters);
  frame.arrays = Object.fromEntries(Object.entries(frame.state).map(([name, text]) => [name, decodeFloats(text)]));
});

// The steps of one epoch: every node forward in topological order, every node backward in reverse, the update.
const STEPS = [
  ...NET.nodes.map((node) => ({ phase: "forward", node })),
  ...[...NET.nodes].reverse().map((node) => ({ phase: "backward", node })),
  { phase: "update", node: null },
];

const state = { frame: 0, sample: 0, step: -1, edits: new Map() }; // step -1: the whole epoch at once
let computed = null; // what the last computation gave: loss, update
let lastFragment = null; // what the page last wrote into the URL

// ---------------------------------------------------------------- edits: "I1->H4", "b:H4", "x:I1"
function editTarget(key) {
  const arrow = key.indexOf("->");
  if (arrow >= 0) {
    const source = key.slice(0, arrow), target = key.slice(arrow + 2);
    const conn = NET.connections.find((c) => c.source.name === source && c.target.name === target);
    return conn && { kind: "weight", conn };
  }
  const node = NET.nodes.find((n) => n.name === key.slice(2));
  if (key.startsWith("b:") && node && node.kind !== "input") return { kind: "bias", node };
  if (key.startsWith("x:") && node && node.kind === "input") return { kind: "input", node };
  return null;
}

function numberOf(text, key) {
  if (text.trim() === "") throw new Error(`${key} needs a value after its last colon, e.g. ${key}:0.5`);
  return Number(text);
}

function setEdit(key, value) {
  if (!editTarget(key)) throw new Error(`No weight, bias or input ${key}: write A->B, b:NODE or x:NODE`);
  if (!Number.isFinite(value)) throw new Error(`The value of ${key} must be a finite number`);
  state.edits.set(key, value);
}

function sampleInputs() {
  const x = [...DATA.samples.x[state.sample]];
  for (const [key, value] of state.edits) {
    const target = editTarget(key);
    if (target.kind === "input") x[NET.inputs.indexOf(target.node)] = value;
  }
  return x;
}

function loadParameters(frame) {
  const values = frame.values;
  NET.connections.forEach((conn, i) => { conn.weight = values[i]; });
  NET.biasNodes.forEach((node, i) => { node.bias = values[NET.connections.length + i]; });
  for (const [key, value] of state.edits) {
    const target = editTarget(key);
    if (target.kind === "weight") target.conn.weight = value;
    if (target.kind === "bias") target.node.bias = value;
  }
}

// Everything of the shown epoch and sample, after the edits: forward, backward, the update.
function compute() {
  const frame = DATA.frames[state.frame];
  const targets = DATA.samples.y[state.sample];
  computed = { loss: null, update: null, targets };
  if (!DATA.computable) return; // a custom activation or loss: the page shows the run, it does not compute it
  loadParameters(frame);
  forwardPass(NET, sampleInputs());
  if (targets && DATA.computable) {
    computed.loss = backwardPass(NET, targets, DATA.loss).value;
    if (!frame.last) computed.update = updateStep(NET, DATA.optimizer, frame, frame.arrays, DATA.regularization);
  }
}

// ---------------------------------------------------------------- the URL fragment
const encodeName = (text) => encodeURIComponent(text).replace(/%3E/gi, ">").replace(/%3A/gi, ":");

function stepText() {
  const step = STEPS[state.step];
  if (!step) return null;
  return step.phase === "update" ? "update" : `${step.phase}:${step.node.name}`;
}

function writeFragment() {
  const parts = [`epoch=${DATA.frames[state.frame].epoch}`, `sample=${state.sample}`];
  if (stepText()) parts.push(`step=${encodeName(stepText())}`);
  for (const [key, value] of state.edits) parts.push(`set=${encodeName(key)}:${value}`);
  lastFragment = parts.join("&");
  try {
    window.history.replaceState(null, "", "#" + lastFragment);
  } catch (err) { /* a sandboxed frame may refuse; the state is still shown */ }
}

function readFragment(hash) {
  const problems = [];
  state.edits = new Map();
  state.step = -1;
  for (const part of hash.replace(/^#/, "").split("&").filter(Boolean)) {
    const equals = part.indexOf("=");
    const key = equals < 0 ? part : part.slice(0, equals);
    let value;
    try {
      value = decodeURIComponent(equals < 0 ? "" : part.slice(equals + 1));
    } catch (err) { // a broken %-escape: that part is unreadable, the rest still counts
      problems.push(`unreadable part ${part}`);
      continue;
    }
    if (key === "epoch") {
      const epoch = Number(value);
      if (value !== "" && Number.isFinite(epoch)) state.frame = nearestFrame(epoch);
      else problems.push(`no epoch ${value}`);
    } else if (key === "sample") {
      const sample = Number(value);
      if (value !== "" && Number.isInteger(sample) && sample >= 0 && sample < DATA.samples.x.length) state.sample = sample;
      else problems.push(`no sample ${value} (samples 0 to ${DATA.samples.x.length - 1})`);
    } else if (key === "step") {
      const found = STEPS.findIndex((step) => (step.phase === "update" ? "update" : `${step.phase}:${step.node.name}`) === value);
      if (found >= 0) state.step = found;
      else problems.push(`no step ${value} (forward:NODE, backward:NODE or update)`);
    } else if (key === "set") {
      const colon = value.lastIndexOf(":");
      if (colon < 0) { problems.push(`set=${value} needs NAME:VALUE`); continue; }
      try { setEdit(value.slice(0, colon), numberOf(value.slice(colon + 1), value.slice(0, colon))); } catch (err) { problems.push(err.message.replace(/\.$/, "")); }
    } else if (key) {
      problems.push(`unknown key ${key} (epoch, sample, step, set)`);
    }
  }
  $("message").textContent = problems.length ? "Ignored in the link: " + problems.join("; ") + "." : "";
}

function nearestFrame(epoch) {
  let best = 0;
  DATA.frames.forEach((frame, i) => {
    if (Math.abs(frame.epoch - epoch) < Math.abs(DATA.frames[best].epoch - epoch)) best = i;
  });
  return best;
}

// ---------------------------------------------------------------- showing the state
function panelText() {
  const step = STEPS[state.step];
  if (!DATA.computable) return "This network uses an activation or loss the page cannot compute; the diagram and curves show the recorded run.";
  if (!step) {
    const outputs = NET.outputs.map((node) => `${node.name} = ${fixed(node.post, DIGITS)}`).join(", ");
    const loss = computed.loss === null ? "no target, so no backward pass" : `loss L = ${fixed(computed.loss, DIGITS)}`;
    return `Epoch ${DATA.frames[state.frame].epoch}, sample ${state.sample}: ${outputs}; ${loss}.\n` +
      "Press → (or Next) to compute node by node: forward in topological order, then backward, then the update.";
  }
  if (step.phase === "forward") return explainText(NET, step.node, "forward", DATA.loss, computed.targets);
  if (computed.loss === null) return "This sample has no target: there is no backward pass.";
  if (step.phase === "backward") return explainText(NET, step.node, "backward", DATA.loss, computed.targets);
  if (!computed.update) return "This is the state after the last update: training ended here.";
  const batch = DATA.batchRows > 1 ? `\nTraining stepped with the mean gradient of ${DATA.batchRows} rows; this is the step for this sample alone.` : "";
  return "update\n" + computed.update.lines.join("\n") + batch;
}

function show() {
  const frame = DATA.frames[state.frame];
  $("epoch-slider").value = String(state.frame);
  $("epoch").textContent = String(frame.epoch);
  $("sample").value = String(state.sample);
  const step = STEPS[state.step];
  $("step-name").textContent = step ? (step.phase === "update" ? "update" : `${step.phase} ${step.node.name}`) : "whole epoch";
  $("formulas").textContent = panelText();
  $("edits").textContent = state.edits.size ? [...state.edits].map(([k, v]) => `${k} = ${v}`).join(", ") : "none";
  drawDiagram(state, STEPS);
  drawCurves(state);
  writeFragment();
}

function refresh() { compute(); show(); }

// ---------------------------------------------------------------- controls
function moveStep(by) {
  state.step = Math.max(-1, Math.min(STEPS.length - 1, state.step + by));
  show();
}

function moveFrame(to) {
  state.frame = Math.max(0, Math.min(DATA.frames.length - 1, to));
  refresh();
}

function applyEdit(text) {
  const colon = text.lastIndexOf(":");
  try {
    if (colon < 0) throw new Error("Write NAME:VALUE, e.g. I1->H4:0.5, b:H4:0.1 or x:I1:0.3.");
    setEdit(text.slice(0, colon).trim(), numberOf(text.slice(colon + 1), text.slice(0, colon).trim()));
    $("message").textContent = "";
    refresh();
  } catch (err) {
    $("message").textContent = err.message;
  }
}

function editKeyOf(kind, index) {
  if (kind === "connection") { const c = NET.connections[index]; return [`${c.source.name}->${c.target.name}`, c.weight]; }
  const node = NET.nodes[index];
  return node.kind === "input" ? [`x:${node.name}`, node.post] : [`b:${node.name}`, node.bias];
}

function openEditor(kind, index, x, y) {
  const [key, value] = editKeyOf(kind, index);
  const editor = $("editor");
  editor.hidden = false;
  editor.style.left = `${x}px`;
  editor.style.top = `${y}px`;
  $("editor-label").textContent = key;
  $("editor-value").value = String(value);
  editor.dataset.key = key;
  $("editor-value").focus();
  $("editor-value").select();
}

function wire() {
  $("epoch-slider").max = String(DATA.frames.length - 1);
  $("epoch-slider").addEventListener("input", () => moveFrame(Number($("epoch-slider").value)));
  DATA.samples.x.forEach((x, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = i === 0 ? "0 (watched)" : String(i);
    $("sample").appendChild(option);
  });
  $("sample").addEventListener("change", () => { state.sample = Number($("sample").value); refresh(); });
  $("previous").addEventListener("click", () => moveStep(-1));
  $("next").addEventListener("click", () => moveStep(1));
  $("whole").addEventListener("click", () => { state.step = -1; show(); });
  $("reset").addEventListener("click", () => { state.edits = new Map(); $("message").textContent = ""; refresh(); });
  $("edit-form").addEventListener("submit", (event) => { event.preventDefault(); applyEdit($("edit-text").value); });
  $("editor").addEventListener("submit", (event) => {
    event.preventDefault();
    $("editor").hidden = true;
    applyEdit(`${$("editor").dataset.key}:${$("editor-value").value}`);
  });
  $("editor-cancel").addEventListener("click", () => { $("editor").hidden = true; });
  $("log-axis").addEventListener("change", () => drawCurves(state));
  $("diagram").addEventListener("click", (event) => {
    const item = event.target.closest("[data-connection],[data-node]");
    if (!item || !DATA.computable) return;
    const kind = item.hasAttribute("data-connection") ? "connection" : "node";
    openEditor(kind, Number(item.getAttribute(kind === "connection" ? "data-connection" : "data-node")), event.pageX, event.pageY);
  });
  $("curves").addEventListener("click", (event) => {
    const epoch = epochAt(event);
    if (epoch !== null) moveFrame(nearestFrame(epoch));
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) {
      if (event.key === "Escape") $("editor").hidden = true;
      return;
    }
    const moves = { ArrowRight: () => moveStep(1), ArrowLeft: () => moveStep(-1), ArrowUp: () => moveFrame(state.frame + 1),
      ArrowDown: () => moveFrame(state.frame - 1), Home: () => { state.step = -1; show(); }, End: () => { state.step = STEPS.length - 1; show(); } };
    if (moves[event.key]) { event.preventDefault(); moves[event.key](); }
  });
  window.addEventListener("hashchange", () => {
    if (currentFragment() !== lastFragment) { readFragment(currentFragment()); refresh(); }
  });
}

const currentFragment = () => { try { return window.location.hash.slice(1); } catch (err) { return ""; } };

// What the tests (and a curious learner in the console) read: every number of the shown state.
window.lab = {
  state: () => ({
    epoch: DATA.frames[state.frame].epoch, sample: state.sample, step: stepText(), loss: computed.loss,
    edits: Object.fromEntries(state.edits), panel: $("formulas").textContent,
    nodes: NET.nodes.map((n) => ({ name: n.name, pre: n.pre, post: n.post, gradPre: n.gradPre, gradPost: n.gradPost, gradBias: n.gradBias })),
    connections: NET.connections.map((c) => ({ source: c.source.name, target: c.target.name, weight: c.weight, gradWeight: c.gradWeight })),
    update: computed.update && computed.update.values,
    pictures: currentPictures(),
  }),
  open: (hash) => { readFragment(hash); refresh(); },
};
