// The textbook in the page: nodenet/backprop.py's formulas for one sample, line for line,
// and nodenet/explain.py's text of them with the numbers plugged in.
// The tests hold every number here to Python's to 1e-12 and every formula line to explain()'s text.
"use strict";

const TINY = 2.2250738585072014e-308; // numpy.finfo(float).tiny: keeps log() and division finite

function sigmoid(pre) {
  if (pre >= 0) return 1 / (1 + Math.exp(-pre));
  const small = Math.exp(pre);
  return small / (1 + small);
}

// value(pre) and derivative(pre, post), as in nodenet/activations.py
const ACTIVATIONS = {
  identity: () => ({ value: (pre) => pre, derivative: () => 1 }),
  sigmoid: () => ({ value: sigmoid, derivative: (pre, post) => (1 - post) * post }),
  tanh: () => ({ value: Math.tanh, derivative: (pre, post) => 1 - post * post }),
  relu: () => ({ value: (pre) => (pre > 0 ? pre : 0), derivative: (pre) => (pre > 0 ? 1 : 0) }),
  leaky_relu: (slope) => ({ value: (pre) => (pre > 0 ? pre : slope * pre), derivative: (pre) => (pre > 0 ? 1 : slope) }),
  softplus: () => ({ value: (pre) => Math.max(pre, 0) + Math.log1p(Math.exp(-Math.abs(pre))), derivative: (pre) => sigmoid(pre) }),
  softmax: () => ({ isGroup: true }),
};

const LOSSES = {
  l2: { value: (post, y) => 0.5 * post.reduce((sum, p, k) => sum + (p - y[k]) * (p - y[k]), 0), grad: (p, y) => p - y },
  cross_entropy: {
    value: (post, y) => -post.reduce((sum, p, k) => sum + y[k] * Math.log(Math.max(p, TINY)), 0),
    grad: (p, y) => -y / Math.max(p, TINY),
  },
};

// notation.weight_symbol: λ4,6 between numbered nodes (H4, O6), else λ(a→b)
function weightSymbol(source, target) {
  const i = source.spec.number, j = target.spec.number;
  return i !== null && j !== null ? `λ${i},${j}` : `λ(${source.name}→${target.name})`;
}

// The network as objects: node.incoming / node.outgoing hold connections {source, target, weight}.
function buildNetwork(data) {
  const nodes = data.nodes.map((spec, index) => ({
    index, name: spec.name, kind: spec.kind, activation: spec.activation, spec,
    fn: ACTIVATIONS[spec.activation] ? ACTIVATIONS[spec.activation](spec.slope) : null,
    incoming: [], outgoing: [], bias: 0, pre: null, post: null, gradPre: null, gradPost: null, gradBias: null,
  }));
  const connections = data.connections.source.map((source, index) => {
    const conn = { index, source: nodes[source], target: nodes[data.connections.target[index]], weight: 0, gradWeight: null };
    conn.spec = { symbol: weightSymbol(conn.source, conn.target) };
    conn.spec.gradSymbol = `∂L/∂${conn.spec.symbol}`; // notation.derivative_symbol
    conn.source.outgoing.push(conn);
    conn.target.incoming.push(conn);
    return conn;
  });
  const group = nodes.filter((node) => node.fn && node.fn.isGroup); // one softmax group, in topological order
  return {
    nodes, connections, group,
    inputs: nodes.filter((node) => node.kind === "input"),
    outputs: nodes.filter((node) => node.kind === "output"),
    biasNodes: data.biases.map((i) => nodes[i]),
  };
}

// ---------------------------------------------------------------- forward, as in backprop.py
function forwardNode(node) {
  let pre = 0;
  for (const conn of node.incoming) {
    pre = pre + conn.weight * conn.source.post; // λ · source.post
  }
  node.pre = pre + node.bias;
  if (!node.fn.isGroup) node.post = node.fn.value(node.pre); // a softmax group's post waits for forwardGroup
}

function forwardGroup(members) {
  const top = Math.max(...members.map((m) => m.pre));
  const shifted = members.map((m) => Math.exp(m.pre - top));
  const total = shifted.reduce((sum, value) => sum + value, 0);
  members.forEach((m, i) => { m.post = shifted[i] / total; });
}

function forwardPass(net, x) {
  for (const node of net.nodes) {
    node.gradPre = node.gradPost = node.gradBias = null;
  }
  for (const conn of net.connections) conn.gradWeight = null;
  const last = net.group[net.group.length - 1];
  net.inputs.forEach((node, i) => { node.pre = x[i]; node.post = node.pre; });
  for (const node of net.nodes) {
    if (node.kind !== "input") forwardNode(node);
    if (node === last) forwardGroup(net.group);
  }
  return net.outputs.map((node) => node.post);
}

// ---------------------------------------------------------------- backward, as in backprop.py
function backwardNode(node, lossGrad) {
  if (!node.fn.isGroup) { // a softmax group's gradients come from backwardGroup
    let gradPost = lossGrad;
    for (const conn of node.outgoing) {
      gradPost = gradPost + conn.weight * conn.target.gradPre; // one term per path onwards
    }
    node.gradPost = gradPost;
    node.gradPre = node.fn.derivative(node.pre, node.post) * node.gradPost;
  }
  if (node.kind === "input") return; // an input has no weights in and no bias
  for (const conn of node.incoming) {
    conn.gradWeight = conn.source.post * node.gradPre;
  }
  node.gradBias = node.gradPre;
}

function backwardGroup(members, lossGrads) {
  members.forEach((m) => { m.gradPost = lossGrads.get(m); });
  const inner = members.reduce((sum, m) => sum + m.gradPost * m.post, 0);
  members.forEach((m) => { m.gradPre = m.post * (m.gradPost - inner); });
}

function backwardPass(net, y, lossName) {
  const loss = LOSSES[lossName];
  const predicted = net.outputs.map((node) => node.post);
  const lossGrads = new Map(net.outputs.map((node, k) => [node, loss.grad(node.post, y[k])]));
  const last = net.group[net.group.length - 1];
  for (const node of [...net.nodes].reverse()) {
    if (node === last) backwardGroup(net.group, lossGrads);
    backwardNode(node, lossGrads.has(node) ? lossGrads.get(node) : 0);
  }
  return { value: loss.value(predicted, y), lossGrads };
}

// ---------------------------------------------------------------- numbers written as Python writes them
// f"{x:.{digits}f}": correctly rounded, ties to even, a minus sign on every negative number (and on -0.0)
function fixed(x, digits) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  let text;
  if (a >= 1e21) {
    text = BigInt(a).toString() + (digits ? "." + "0".repeat(digits) : "");
  } else if (Number.isInteger(a * 2 ** (digits + 1)) && !Number.isInteger(a * 2 ** digits)) {
    // an exact tie: JavaScript rounds it away from zero, Python to the even last digit
    let n = Math.floor(a * 10 ** digits);
    if (n % 2 === 1) n += 1;
    const raw = String(n).padStart(digits + 1, "0");
    text = digits ? raw.slice(0, raw.length - digits) + "." + raw.slice(raw.length - digits) : raw;
  } else {
    text = a.toFixed(digits);
  }
  return sign + text;
}

// ---------------------------------------------------------------- explain(): the same lines as explain.py
const DIGITS = 4;
const num = (v) => `(${fixed(v, DIGITS)})`;
const plain = (v) => fixed(v, DIGITS);
const line = (lhs, symbols, numbers, value) =>
  [lhs, symbols, numbers].filter((side) => side !== null).join(" = ") + " = " + fixed(value, DIGITS);

function forwardLines(net, node) {
  const s = node.spec.symbols;
  if (node.kind === "input") return [line(s.post, null, null, node.post)];
  const symbols = node.incoming.map((c) => c.spec.symbol + "·" + c.source.spec.symbols.post);
  const numbers = node.incoming.map((c) => num(c.weight) + num(c.source.post));
  const total = line(s.pre, [...symbols, s.bias].join(" + "), [...numbers, num(node.bias)].join(" + "), node.pre);
  let post;
  if (node.activation === "identity") {
    post = line(s.post, s.pre, null, node.post);
  } else if (node.fn.isGroup) {
    const exps = net.group.map((m) => `exp(${m.spec.symbols.pre})`).join(" + ");
    const expNumbers = net.group.map((m) => `exp${num(m.pre)}`).join(" + ");
    post = line(s.post, `exp(${s.pre}) / (${exps})`, `exp${num(node.pre)} / (${expNumbers})`, node.post);
  } else {
    post = line(s.post, `${s.function}(${s.pre})`, `${s.function}${num(node.pre)}`, node.post);
  }
  return [total, post];
}

function lossTerm(node, lossName, target) {
  const s = node.spec.symbols;
  if (lossName === "l2") return [`(${s.post} − ${s.target})`, `(${plain(node.post)} − ${plain(target)})`];
  return [`(-${s.target}/${s.post})`, `(-${num(target)}/${num(node.post)})`];
}

function activationLine(net, node) {
  const s = node.spec.symbols;
  if (node.fn.isGroup) {
    const inner = net.group.map((m) => m.spec.symbols.post + "·" + m.spec.symbols.gradPost).join(" + ");
    const innerNumbers = net.group.map((m) => num(m.post) + num(m.gradPost)).join(" + ");
    return line(s.gradPre, `${s.post}·(${s.gradPost} − (${inner}))`, `${num(node.post)}(${num(node.gradPost)} − (${innerNumbers}))`, node.gradPre);
  }
  const written = {
    identity: ["1", "(1)"],
    sigmoid: [`(1 − ${s.post})·${s.post}`, `(1 − ${plain(node.post)})${num(node.post)}`],
    tanh: [`(1 − ${s.post}²)`, `(1 − ${num(node.post)}²)`],
  }[node.activation] || [`${s.function}'(${s.pre})`, num(node.fn.derivative(node.pre, node.post))];
  return line(s.gradPre, `${written[0]}·${s.gradPost}`, written[1] + num(node.gradPost), node.gradPre);
}

function backwardLines(net, node, lossName, targets) {
  const s = node.spec.symbols;
  const symbols = [], numbers = [];
  const k = net.outputs.indexOf(node);
  if (k >= 0 && targets) {
    const [lossSymbols, lossNumbers] = lossTerm(node, lossName, targets[k]);
    symbols.push(lossSymbols);
    numbers.push(lossNumbers);
  }
  for (const conn of node.outgoing) {
    symbols.push(conn.spec.symbol + "·" + conn.target.spec.symbols.gradPre);
    numbers.push(num(conn.weight) + num(conn.target.gradPre));
  }
  const lines = [line(s.gradPost, symbols.join(" + ") || "0", numbers.join(" + ") || null, node.gradPost)];
  if (node.kind === "input") return lines;
  lines.push(activationLine(net, node));
  for (const conn of node.incoming) {
    const value = conn.source.post * node.gradPre;
    lines.push(line(conn.spec.gradSymbol, conn.source.spec.symbols.post + "·" + s.gradPre, num(conn.source.post) + num(node.gradPre), value));
  }
  lines.push(line(s.gradBias, s.gradPre, null, node.gradPre));
  return lines;
}

// explain(node, phase=...).text
function explainText(net, node, phase, lossName, targets) {
  const lines = phase === "forward" ? forwardLines(net, node) : backwardLines(net, node, lossName, targets);
  return [`${node.spec.title}: ${phase}`, ...lines].join("\n");
}

