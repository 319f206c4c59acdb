"""Plain-Python by-hand loops: an MLP on lists, one sample at a time.

The way the chapter's code computes its network, generalized to any layer
widths: sigmoid hidden layers, identity outputs, L2 loss, gradients averaged
over each batch, gradient descent.
"""

from __future__ import annotations

import math


def train(layers, X, Y, *, epochs: int, lr: float, batch_size: int | None = None) -> None:
    """Train ``layers`` (list of (W rows per target, b)) in place on lists X, Y."""
    n = len(X)
    size = n if batch_size is None else batch_size
    last = len(layers) - 1
    for _ in range(epochs):
        for start in range(0, n, size):
            rows = range(start, min(start + size, n))
            grads = [([[0.0] * len(W[0]) for _ in W], [0.0] * len(b)) for W, b in layers]
            for i in rows:
                signals = [X[i]]
                for depth, (W, b) in enumerate(layers):
                    source = signals[-1]
                    pre = [sum(w * s for w, s in zip(row, source)) + bias for row, bias in zip(W, b)]
                    signals.append(pre if depth == last else [1.0 / (1.0 + math.exp(-p)) for p in pre])
                delta = [o - t for o, t in zip(signals[-1], Y[i])]
                for depth in range(last, -1, -1):
                    W, _ = layers[depth]
                    gW, gb = grads[depth]
                    source = signals[depth]
                    for j, d in enumerate(delta):
                        gb[j] += d
                        row = gW[j]
                        for k, s in enumerate(source):
                            row[k] += d * s
                    if depth:
                        delta = [
                            s * (1.0 - s) * sum(W[j][k] * delta[j] for j in range(len(delta)))
                            for k, s in enumerate(source)
                        ]
            scale = lr / len(rows)
            for (W, b), (gW, gb) in zip(layers, grads):
                for row, grow in zip(W, gW):
                    for k, g in enumerate(grow):
                        row[k] -= scale * g
                for j, g in enumerate(gb):
                    b[j] -= scale * g
