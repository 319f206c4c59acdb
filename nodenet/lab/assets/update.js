// The update step in the page: nodenet/optimizers.py's SGD, momentum, Nesterov and Adam for one step,
// on the gradients of the shown sample, written out with the numbers.
"use strict";

// The parameters in History's order: every connection's weight, then every bias.  With a penalty
// (fit's l2, l1) the step follows the data loss's gradient plus l2·λ + l1·sign(λ) (nodenet/regularization.py).
function parameterList(net, penalty) {
  const list = [
    ...net.connections.map((c) => ({ symbol: c.spec.symbol, grad: c.spec.gradSymbol, get: () => c.weight, data: () => c.gradWeight, penalized: true })),
    ...net.biasNodes.map((n) => ({ symbol: n.spec.symbols.bias, grad: n.spec.symbols.gradBias, get: () => n.bias, data: () => n.gradBias,
      penalized: Boolean(penalty && penalty.biases) })),
  ];
  for (const p of list) {
    const on = penalty && p.penalized;
    p.gradient = on ? () => penalty.l2 * p.get() + (penalty.l1 ? penalty.l1 * Math.sign(p.get()) : 0) + p.data() : p.data;
    // the gradient as the formulas write it: ∂L/∂λ, or (∂L/∂λ + l2·λ + l1·sign(λ)) with its numbers
    const terms = on ? [penalty.l2 ? [`l2·${p.symbol}`, `${num(penalty.l2)}${num(p.get())}`] : null,
      penalty.l1 ? [`l1·sign(${p.symbol})`, `${num(penalty.l1)}${num(Math.sign(p.get()))}`] : null].filter(Boolean) : [];
    p.gradSymbol = terms.length ? `(${[p.grad, ...terms.map((t) => t[0])].join(" + ")})` : p.grad;
    p.gradNumbers = () => (terms.length ? `(${[num(p.data()), ...terms.map((t) => t[1])].join(" + ")})` : num(p.data()));
  }
  return list;
}

// One optimizer step from `state` (the optimizer's arrays at the start of the epoch): lines and new values.
function updateStep(net, optimizer, frame, state, penalty) {
  const params = parameterList(net, penalty);
  const eta = frame.lr, lines = [], values = [];
  const name = optimizer && optimizer.name;
  if (!optimizer || eta === null) {
    return { lines: ["This run did not record its optimizer or learning rate (a history made from checkpoints): no update is computed."], values: null };
  }
  if (name === "sgd" && !optimizer.momentum) {
    lines.push(`λ ← λ − η·∂L/∂λ with η = ${fixed(eta, DIGITS)}`);
    params.forEach((p) => {
      const value = p.get() - eta * p.gradient();
      values.push(value);
      lines.push(line(`${p.symbol} ← ${p.symbol} − η·${p.gradSymbol}`, null, `${num(p.get())} − ${num(eta)}${p.gradNumbers()}`, value));
    });
  } else if (name === "sgd") {
    const mu = optimizer.momentum, velocity = state.velocity;
    lines.push(`momentum μ = ${fixed(mu, DIGITS)}, η = ${fixed(eta, DIGITS)}${optimizer.nesterov ? " (Nesterov)" : ""}; v(λ) is λ's velocity`);
    params.forEach((p, i) => {
      const v = `v(${p.symbol})`;
      const newVelocity = mu * velocity[i] - eta * p.gradient();
      lines.push(line(`${v} ← μ·${v} − η·${p.gradSymbol}`, null, `${num(mu)}${num(velocity[i])} − ${num(eta)}${p.gradNumbers()}`, newVelocity));
      if (optimizer.nesterov) {
        const value = p.get() + mu * newVelocity - eta * p.gradient();
        values.push(value);
        lines.push(line(`${p.symbol} ← ${p.symbol} + μ·${v} − η·${p.gradSymbol}`, null,
          `${num(p.get())} + ${num(mu)}${num(newVelocity)} − ${num(eta)}${p.gradNumbers()}`, value));
      } else {
        const value = p.get() + newVelocity;
        values.push(value);
        lines.push(line(`${p.symbol} ← ${p.symbol} + ${v}`, null, `${num(p.get())} + ${num(newVelocity)}`, value));
      }
    });
  } else if (name === "adam") {
    const { beta1: b1, beta2: b2, eps } = optimizer;
    const t = frame.steps + 1;
    lines.push(`Adam step t = ${t}: β1 = ${fixed(b1, DIGITS)}, β2 = ${fixed(b2, DIGITS)}, ε = ${eps}, η = ${fixed(eta, DIGITS)}`);
    params.forEach((p, i) => {
      const g = p.gradient(), m = `m(${p.symbol})`, v = `v(${p.symbol})`;
      lines.push(line(`g = ${p.gradSymbol}`, null, p.gradNumbers(), g));
      const first = b1 * state.first[i] + (1 - b1) * g;
      const second = b2 * state.second[i] + (1 - b2) * g * g;
      const mHat = first / (1 - b1 ** t), vHat = second / (1 - b2 ** t);
      const value = p.get() - (eta * mHat) / (Math.sqrt(vHat) + eps);
      values.push(value);
      lines.push(line(`${m} ← β1·${m} + (1 − β1)·g`, null, `${num(b1)}${num(state.first[i])} + ${num(1 - b1)}${num(g)}`, first));
      lines.push(line(`${v} ← β2·${v} + (1 − β2)·g²`, null, `${num(b2)}${num(state.second[i])} + ${num(1 - b2)}${num(g)}²`, second));
      lines.push(line(`m̂ = ${m}/(1 − β1^${t})`, null, `${num(first)}/(1 − ${plain(b1)}^${t})`, mHat));
      lines.push(line(`v̂ = ${v}/(1 − β2^${t})`, null, `${num(second)}/(1 − ${plain(b2)}^${t})`, vHat));
      lines.push(line(`${p.symbol} ← ${p.symbol} − η·m̂/(√v̂ + ε)`, null, `${num(p.get())} − ${num(eta)}${num(mHat)}/(√${num(vHat)} + ${eps})`, value));
    });
  } else {
    return { lines: [`The page computes SGD, momentum and Adam steps; this run's optimizer (${name || "not recorded"}) is not one of them.`], values: null };
  }
  return { lines, values };
}
