"""A hand-vectorized numpy MLP: the practical lower bound nodenet is compared with.

Sigmoid hidden layers, identity outputs, L2 loss with batch-mean gradients:
the same computation as ``nodenet.Network.from_layers(widths)``.
"""

from __future__ import annotations

import numpy as np


def weights_of(net):
    """Per-layer ``(W, b)`` of a layered nodenet network, W of shape (inputs, outputs)."""
    layers, current = [], net.inputs
    while current[0].outgoing:
        following = [c.target for c in current[0].outgoing]
        # from_layers connects each target to every source in order: (targets, sources) row-major
        weights = np.array([c.weight for t in following for c in t.incoming]).reshape(len(following), len(current))
        layers.append((weights.T.copy(), np.array([t.bias for t in following])))
        current = following
    return layers


def forward_backward(layers, X, Y):
    """One forward and backward pass; returns the loss and the gradients."""
    posts = [X]
    for depth, (W, b) in enumerate(layers):
        pre = posts[-1] @ W + b
        posts.append(pre if depth == len(layers) - 1 else 1.0 / (1.0 + np.exp(-pre)))
    n = X.shape[0]
    delta = posts[-1] - Y
    loss = 0.5 * float(np.sum(delta * delta)) / n
    grads = []
    for depth in range(len(layers) - 1, -1, -1):
        W, _ = layers[depth]
        grads.append((posts[depth].T @ delta / n, delta.mean(axis=0)))
        if depth:
            post = posts[depth]
            delta = (delta @ W.T) * (1.0 - post) * post
    return loss, grads[::-1]


def train(layers, X, Y, *, epochs: int, lr: float, batch_size: int | None = None) -> None:
    """Gradient descent in place on ``layers``, batches in order (no shuffling)."""
    n = X.shape[0]
    size = n if batch_size is None else batch_size
    for _ in range(epochs):
        for start in range(0, n, size):
            _, grads = forward_backward(layers, X[start : start + size], Y[start : start + size])
            for (W, b), (gW, gb) in zip(layers, grads):
                W -= lr * gW
                b -= lr * gb
