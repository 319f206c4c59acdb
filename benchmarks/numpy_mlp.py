"""A hand-vectorized numpy MLP: the practical lower bound nodenet is compared with.

Sigmoid hidden layers, identity outputs, L2 loss with batch-mean gradients:
the same computation as ``nodenet.Network.from_layers(widths)``.
"""

from __future__ import annotations

import numpy as np


def weights_of(net):
    """Per-layer weight matrices and bias vectors of a layered nodenet network."""
    layers, current = [], net.inputs
    while current:
        following = [c.target for c in current[0].outgoing]
        if not following:
            break
        W = np.array([[net.connection(s, t).weight for t in following] for s in current])
        b = np.array([t.bias for t in following])
        layers.append((W, b))
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
