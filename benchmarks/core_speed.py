"""Forward + backward time of the reference object path against plain numpy.

Run: python benchmarks/core_speed.py
Prints medians of repeated timings, measured side by side in one run.
"""

from __future__ import annotations

import statistics
import timeit

import numpy as np

import nodenet
from numpy_mlp import forward_backward, weights_of


def median_seconds(call, number: int, repeat: int = 7) -> float:
    return statistics.median(timeit.repeat(call, number=number, repeat=repeat)) / number


def check_same_numbers(net, X, Y) -> None:
    layers = weights_of(net)
    loss, grads = forward_backward(layers, X, Y)
    net.forward(X)
    assert abs(net.backward(Y) - loss) < 1e-12
    W, _ = grads[0]
    first = net.inputs[0].outgoing[0]
    assert abs(first.grad_weight - W[0, 0]) < 1e-12


def main() -> None:
    rows = []
    chapter = nodenet.Network.from_layers([3, 2, 1], seed=13)
    x, y = np.array([0.5, 0.2, 0.7]), np.array([0.3])
    layers = weights_of(chapter)
    X1, Y1 = x[None, :], y[None, :]
    check_same_numbers(chapter, X1, Y1)

    def chapter_step():
        chapter.forward(x)
        chapter.backward(y)

    rows.append(("3-2-1, one sample", median_seconds(chapter_step, 2000), median_seconds(lambda: forward_backward(layers, X1, Y1), 2000)))

    wide = nodenet.Network.from_layers([10, 20, 3], seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.random((1000, 10)), rng.random((1000, 3))
    wide_layers = weights_of(wide)
    check_same_numbers(wide, X, Y)

    def wide_step():
        wide.forward(X)
        wide.backward(Y)

    rows.append(("[10,20,3], batch of 1000", median_seconds(wide_step, 20), median_seconds(lambda: forward_backward(wide_layers, X, Y), 20)))

    print(f"{'workload':28} {'nodenet':>12} {'numpy':>12} {'ratio':>8}")
    for name, ours, theirs in rows:
        print(f"{name:28} {ours * 1e6:10.1f}us {theirs * 1e6:10.1f}us {ours / theirs:8.1f}")


if __name__ == "__main__":
    main()
