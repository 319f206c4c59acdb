"""Time forward + backward on the chapter's network and on a wider batch.

Run it against two checkouts to compare them in one go, e.g.::

    for tree in /work/main /path/to/branch; do PYTHONPATH=$tree python benchmarks/passes.py; done
"""

import sys
import timeit

import numpy as np

import nodenet


def chapter() -> float:
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    x, y = [0.5, 0.2, 0.7], [0.3]
    return min(timeit.repeat(lambda: (net.forward(x), net.backward(y)), number=10000, repeat=5)) / 10000


def wide_batch() -> float:
    net = nodenet.Network.from_layers([10, 20, 3], seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(1000, 10)), rng.normal(size=(1000, 3))
    return min(timeit.repeat(lambda: (net.forward(x), net.backward(y)), number=100, repeat=5)) / 100


if __name__ == "__main__":
    print(
        f"{nodenet.__file__.rsplit('/', 2)[0]:<24} chapter [3,2,1] x1: {chapter() * 1e6:8.2f} us   "
        f"[10,20,3] x1000: {wide_batch() * 1e3:8.3f} ms",
        file=sys.stdout,
    )
