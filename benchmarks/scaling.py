"""How the compiled plan's training step scales, against the hand-vectorized numpy step.

One step is a forward pass, a backward pass and a plain gradient-descent
update of every parameter (what ``fit`` does per batch, without its
bookkeeping); both sides train the same layered network on the same batch.
The sweep varies one thing at a time: the batch size (widths [64, 64, 64, 10]),
the width of two hidden layers (batch 256), and the number of levels (width
32, batch 256).  A last line builds plans of random DAGs with 10% of the
possible forward edges (medians over as many DAGs as rounds, one per seed)
and times a step on them.

    python benchmarks/scaling.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import timeit

import numpy as np

import nodenet
from nodenet.parameters import Parameters

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_mlp  # noqa: E402

LR = 0.01


def plan_step(net: nodenet.Network, X: np.ndarray, Y: np.ndarray):
    """A function running one training step of ``net`` on the compiled plan."""
    plan, params, loss = net.compile(), Parameters(net), nodenet.get_loss("l2")

    def step():
        plan.run(X, caches=False)
        plan.run_backward(Y, loss, caches=False)
        values, grads = params.flat_after_backward()
        values -= LR * grads
        params.assign_flat(values)
    return step


def numpy_step(net: nodenet.Network, X: np.ndarray, Y: np.ndarray):
    layers = numpy_mlp.weights_of(net)

    def step():
        _, grads = numpy_mlp.forward_backward(layers, X, Y)
        for (W, b), (gW, gb) in zip(layers, grads):
            W -= LR * gW
            b -= LR * gb
    return step


def per_step(run, repeat: int) -> float:
    """Median seconds per call over ``repeat`` rounds of enough calls for about 20 ms."""
    run()
    number = max(1, int(0.02 / max(timeit.timeit(run, number=1), 1e-6)))
    return statistics.median(timeit.repeat(run, number=number, repeat=repeat)) / number


def ratio(widths: list[int], batch: int, repeat: int) -> tuple[float, float]:
    """nodenet's and numpy's time per step on ``widths`` and a batch of ``batch`` rows."""
    rng = np.random.default_rng(0)
    X, Y = rng.random((batch, widths[0])), rng.random((batch, widths[-1]))
    net = nodenet.Network.from_layers(widths, seed=0)
    ours, theirs = plan_step(net, X, Y), numpy_step(net, X, Y)
    samples: dict[str, list[float]] = {"ours": [], "numpy": []}
    for _ in range(repeat):  # interleaved: a slow spell of the machine hits both
        samples["ours"].append(per_step(ours, 1))
        samples["numpy"].append(per_step(theirs, 1))
    return statistics.median(samples["ours"]), statistics.median(samples["numpy"])


def random_dag(hidden: int, density: float, seed: int = 0) -> nodenet.Network:
    """Inputs, ``hidden`` sigmoid nodes and outputs, each pair (earlier -> later) connected with probability ``density``."""
    rng = np.random.default_rng(seed)
    net = nodenet.Network()
    inputs = [net.add_input(f"I{i}") for i in range(8)]
    hiddens = [net.add_node(f"H{i}") for i in range(hidden)]
    outputs = [net.add_output(f"O{i}") for i in range(2)]
    earlier = list(inputs)
    for node in hiddens + outputs:
        chosen = [src for src in earlier if rng.random() < density] or [earlier[int(rng.integers(len(earlier)))]]
        for src in chosen:
            net.connect(src, node, weight=float(rng.normal(0, 0.3)))
        if node.kind == "hidden":
            earlier.append(node)
    return net


def sweep(repeat: int) -> None:
    print("scaling: one training step on the compiled plan against numpy (median per step, ratio)")
    rows = [("batch", b, [64, 64, 64, 10], b) for b in (1, 16, 256, 4096)]
    rows += [("width", w, [w, w, w, 10], 256) for w in (16, 64, 256, 1024)]
    rows += [("levels", d, [32] * d + [10], 256) for d in (2, 5, 10, 50)]
    for label, value, widths, batch in rows:
        ours, theirs = ratio(widths, batch, repeat)
        print(f"  {label:>6} {value:>5}: nodenet {ours * 1e6:9.1f} us, numpy {theirs * 1e6:9.1f} us ({ours / theirs:5.2f}x)")
    for hidden in (30, 100, 300):
        orders, builds = [], []
        for seed in range(repeat):  # a new DAG each time: a plan is built once per structure
            net = random_dag(hidden, 0.1, seed=seed)
            started = time.perf_counter()
            net.nodes  # the topological order every pass of a new structure needs first (here the declaration order)
            ordered = time.perf_counter()
            net.compile()
            orders.append(ordered - started)
            builds.append(time.perf_counter() - ordered)
        rng = np.random.default_rng(0)
        step = plan_step(net, rng.random((256, 8)), rng.random((256, 2)))
        print(f"  random DAG, {hidden} hidden, {net.graph.number_of_edges()} connections: topological order "
              f"{statistics.median(orders) * 1e3:.1f} ms + plan build {statistics.median(builds) * 1e3:.1f} ms "
              f"(medians of {repeat} DAGs), step (batch 256) {per_step(step, repeat) * 1e6:.0f} us")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement (median; default 5)")
    sweep(parser.parse_args().repeat)
