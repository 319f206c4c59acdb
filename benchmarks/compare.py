"""nodenet against a hand-vectorized numpy MLP, plain Python, PyTorch and micrograd.

Every runner trains the same network (sigmoid hidden layers, identity
outputs, L2 loss, plain gradient descent, float64, no shuffling) from the
same initial weights on the same data (nodenet's runners record the
history every epoch, fit's default; "nodenet float32" is ``fit(...,
dtype=np.float32)``, every other column float64); the table shows the median time of
several runs, all measured in this one run, and the ratio to numpy.  Each
run is timed in a process of its own (after one warm-up run, except for
the slow runners, which run once), so that no library's thread pool or
allocator state slows another's, and the rounds are interleaved (every
runner once, then every runner again), so that a slow spell of the
machine hits all runners alike.

    python benchmarks/compare.py [--repeat 5] [--quick] [--baseline DIR]

``--baseline DIR`` also times ``fit`` and ``predict`` (default options) of
the nodenet checkout in DIR beside this one, in the same run, each in
processes of its own, interleaved.

PyTorch and micrograd are used when installed (``pip install torch
micrograd``); plain Python is skipped on the largest workload (hours) and
micrograd on every batch workload (minutes to days), marked ``-``.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import statistics
import sys
import time
import tracemalloc

import numpy as np

import nodenet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_mlp  # noqa: E402
import plain_mlp  # noqa: E402
import scaling  # noqa: E402

WORKLOADS = [
    # name, widths, rows, batch size (None: full batch), epochs, learning rate
    ("chapter 3-2-1, one sample, 1000 epochs", [3, 2, 1], 1, None, 1000, 0.2),
    ("[10,20,3], n=1000, full batch, 20 epochs", [10, 20, 3], 1000, None, 20, 0.1),
    ("[10,8,6,4,2,1], n=1000, full batch, 20 epochs", [10, 8, 6, 4, 2, 1], 1000, None, 20, 0.1),
    ("[64,256,256,10], n=10000, batch 256, 2 epochs", [64, 256, 256, 10], 10000, 256, 2, 0.1),
]
SLOW_FOR_PLAIN = 2e8  # weight-sample products beyond which the Python loops are skipped


def network(widths):
    return nodenet.Network.from_layers(widths, seed=13 if widths == [3, 2, 1] else 0)


def data(widths, rows):
    if widths == [3, 2, 1]:
        return np.array([[0.5, 0.2, 0.7]]), np.array([[0.3]])
    rng = np.random.default_rng(0)
    return rng.random((rows, widths[0])), rng.random((rows, widths[-1]))


def predict_runner(widths, X, Y, batch, epochs, lr):
    def run():
        net = network(widths)
        rows = X[0] if len(X) == 1 else X
        started = time.perf_counter()
        for _ in range(epochs):
            net.predict(rows)
        return time.perf_counter() - started
    return run


def nodenet_runner(widths, X, Y, batch, epochs, lr, compiled, dtype=None):
    def run():
        net = network(widths)
        started = time.perf_counter()
        net.fit(X, Y, epochs=epochs, lr=lr, batch_size=batch, shuffle=False, compiled=compiled, dtype=dtype)  # history every epoch
        return time.perf_counter() - started
    return run


def torch_runner(widths, X, Y, batch, epochs, lr):
    import torch

    layers = numpy_mlp.weights_of(network(widths))

    def run():
        modules = []
        for depth, (W, b) in enumerate(layers):
            linear = torch.nn.Linear(*W.shape, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W.T))
                linear.bias.copy_(torch.from_numpy(b))
            modules.append(linear)
            if depth < len(layers) - 1:
                modules.append(torch.nn.Sigmoid())
        model = torch.nn.Sequential(*modules)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        tx, ty = torch.from_numpy(X), torch.from_numpy(Y)
        size = len(X) if batch is None else batch
        started = time.perf_counter()
        for _ in range(epochs):
            for start in range(0, len(X), size):
                optimizer.zero_grad()
                diff = model(tx[start : start + size]) - ty[start : start + size]
                loss = 0.5 * (diff * diff).sum() / diff.shape[0]
                loss.backward()
                optimizer.step()
        return time.perf_counter() - started
    return run


def micrograd_runner(widths, X, Y, epochs, lr):
    from micrograd.engine import Value

    def sigmoid(value):
        s = 1.0 / (1.0 + np.exp(-value.data))
        out = Value(float(s), (value,), "sigmoid")

        def backward():
            value.grad += s * (1.0 - s) * out.grad

        out._backward = backward
        return out

    layers = numpy_mlp.weights_of(network(widths))

    def run():
        params = [([[Value(float(w)) for w in row] for row in W.T], [Value(float(v)) for v in b]) for W, b in layers]
        flat = [v for W, b in params for row in W for v in row] + [v for _, b in params for v in b]
        started = time.perf_counter()
        for _ in range(epochs):
            total = Value(0.0)
            for x, y in zip(X.tolist(), Y.tolist()):
                signal = [Value(v) for v in x]
                for depth, (W, b) in enumerate(params):
                    pre = [sum((w * s for w, s in zip(row, signal)), bias) for row, bias in zip(W, b)]
                    signal = pre if depth == len(params) - 1 else [sigmoid(p) for p in pre]
                total = total + sum(((o - t) ** 2 for o, t in zip(signal, y)), Value(0.0)) * 0.5
            loss = total * (1.0 / len(X))
            for v in flat:
                v.grad = 0.0
            loss.backward()
            for v in flat:
                v.data -= lr * v.grad
        return time.perf_counter() - started
    return run


def numpy_runner(widths, X, Y, batch, epochs, lr):
    def run():
        layers = numpy_mlp.weights_of(network(widths))
        started = time.perf_counter()
        numpy_mlp.train(layers, X, Y, epochs=epochs, lr=lr, batch_size=batch)
        return time.perf_counter() - started
    return run


def plain_runner(widths, X, Y, batch, epochs, lr):
    Xl, Yl = X.tolist(), Y.tolist()

    def run():
        layers = [(W.T.tolist(), b.tolist()) for W, b in numpy_mlp.weights_of(network(widths))]
        started = time.perf_counter()
        plain_mlp.train(layers, Xl, Yl, epochs=epochs, lr=lr, batch_size=batch)
        return time.perf_counter() - started
    return run


def interleaved_medians(runners: dict, repeat: int) -> dict:
    """Median time of each runner over ``repeat`` rounds that run every runner in turn.

    Interleaving spreads the machine's slow spells over all runners alike; in
    each round a runner runs once untimed first (warm caches).
    """
    samples = {key: [] for key in runners}
    for _ in range(repeat):
        for key, run in runners.items():
            run()
            samples[key].append(run())
    return {key: statistics.median(values) for key, values in samples.items()}


RUNNERS = {
    "nodenet fit": lambda w, X, Y, batch, epochs, lr: nodenet_runner(w, X, Y, batch, epochs, lr, None),  # default path
    "nodenet predict": predict_runner,
    "nodenet textbook": lambda w, X, Y, batch, epochs, lr: nodenet_runner(w, X, Y, batch, epochs, lr, False),
    "nodenet compiled": lambda w, X, Y, batch, epochs, lr: nodenet_runner(w, X, Y, batch, epochs, lr, True),
    "nodenet float32": lambda w, X, Y, batch, epochs, lr: nodenet_runner(w, X, Y, batch, epochs, lr, None, np.float32),
    "numpy": numpy_runner,
    "plain Python": plain_runner,
    "PyTorch": torch_runner,
    "micrograd": lambda w, X, Y, batch, epochs, lr: micrograd_runner(w, X, Y, epochs, lr),
}


def measure(workload: int, key: str, rounds: int, warm: bool = True) -> list[float]:
    """Times of ``rounds`` runs of one runner on one workload, after a warm-up run if ``warm``.

    Called in a process of its own: libraries' thread pools (OpenBLAS,
    PyTorch's OpenMP) and the memory allocator's state then belong to the
    runner alone, as when each is used by itself.
    """
    _, widths, rows, batch, epochs, lr = WORKLOADS[workload]
    X, Y = data(widths, rows)
    if key == "PyTorch":
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
    run = RUNNERS[key](widths, X, Y, batch, epochs, lr)
    if warm:
        run()
    return [run() for _ in range(rounds)]


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def check_same_numbers(widths, X, Y, batch, lr):
    """Two epochs of nodenet (both paths) and numpy land on the same weights."""
    layers = numpy_mlp.weights_of(network(widths))
    numpy_mlp.train(layers, X, Y, epochs=2, lr=lr, batch_size=batch)
    for compiled in (False, True):
        net = network(widths)
        net.fit(X, Y, epochs=2, lr=lr, batch_size=batch, shuffle=False, record_every=0, compiled=compiled)
        ours = numpy_mlp.weights_of(net)
        for (W, b), (W2, b2) in zip(ours, layers):
            assert np.allclose(W, W2, rtol=1e-9, atol=1e-12) and np.allclose(b, b2, rtol=1e-9, atol=1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median; default 5)")
    parser.add_argument("--quick", action="store_true", help="skip the plain-Python and micrograd runners")
    parser.add_argument("--baseline", metavar="DIR", help="also time fit and predict of the nodenet checkout in DIR")
    parser.add_argument("--baseline-only", action="store_true", help="with --baseline: only that comparison")
    args = parser.parse_args()
    if args.baseline:
        baseline_cost(args.baseline, args.repeat)
        if args.baseline_only:
            return
    available = {"PyTorch": installed("torch"), "micrograd": installed("micrograd")}
    spawn = multiprocessing.get_context("spawn")

    blas()
    columns = [key for key in RUNNERS if key != "nodenet predict"]
    print(f"{'workload':48}" + "".join(f"{c:>19}" for c in columns))
    for index, (name, widths, rows, batch, epochs, lr) in enumerate(WORKLOADS):
        X, Y = data(widths, rows)
        check_same_numbers(widths, X[: min(rows, 512)], Y[: min(rows, 512)], batch, lr)
        size = sum(a * b for a, b in zip(widths, widths[1:])) * rows * epochs
        skipped = {
            "plain Python": args.quick or size > SLOW_FOR_PLAIN,
            "micrograd": args.quick or rows > 1,
        }
        slow = {"plain Python", "micrograd"} if rows > 1 else set()
        skipped["nodenet textbook"] = widths[0] == 64  # per-connection numpy calls on 85,000 weights: minutes
        measured = [key for key in columns if not skipped.get(key) and available.get(key, True)]
        samples: dict[str, list[float]] = {key: [] for key in measured}
        for round_number in range(args.repeat):  # rounds interleaved: a slow spell of the machine hits every runner
            for key in measured:
                if key in slow and round_number:
                    continue  # the slow runners run once
                with spawn.Pool(1) as pool:  # a process per round: warm-up run, then one timed run
                    samples[key] += pool.apply(measure, (index, key, 1, key not in slow))
        times = {key: statistics.median(samples[key]) if key in samples else None for key in columns}
        base = times["numpy"]
        cells = [f"{t * 1e3:9.1f}ms ({t / base:5.2f}x)" if t else f"{'-':>18}" for t in times.values()]
        print(f"{name:48}" + "".join(f"{c:>19}" for c in cells))
    print("(ratio: time / numpy time in this run; '-': not installed, or skipped as too slow)")
    fixed_cost(args.repeat)
    passes_cost(args.repeat)
    build_cost(args.repeat)
    history_cost(args.repeat)
    sklearn_cost(args.repeat)
    scaling.sweep(args.repeat)


def blas() -> None:
    """The BLAS library and kernel numpy uses (threadpoolctl, installed with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("BLAS: threadpoolctl not installed")
        return
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            print(f"BLAS: {pool.get('internal_api')} {pool.get('version')}, kernel {pool.get('architecture')}, "
                  f"{pool.get('num_threads')} threads")


def fixed_cost(repeat: int) -> None:
    """``fit(epochs=0)`` on a fresh network: what every fit pays before its first epoch, and after its last."""
    cells = []
    for widths, rows in (([10, 20, 3], 1000), ([10, 8, 6, 4, 2, 1], 1000), ([64, 256, 256, 10], 10000)):
        X, Y = data(widths, rows)
        samples = []
        for _ in range(repeat * 10):
            net = network(widths)
            started = time.perf_counter()
            net.fit(X, Y, epochs=0, lr=0.1)
            samples.append(time.perf_counter() - started)
        cells.append(f"{widths} {statistics.median(samples) * 1e3:.2f} ms")
    print("fixed cost per fit (fit(epochs=0), fresh network): " + ", ".join(cells))


def passes_cost(repeat: int) -> None:
    """One forward + backward pass (no update): the cost of the core engine itself."""
    import timeit

    for label, widths, rows, number in (("3-2-1, one sample", [3, 2, 1], 1, 2000), ("[10,20,3], batch of 1000", [10, 20, 3], 1000, 50)):
        X, Y = data(widths, rows)
        net = network(widths)
        layers = numpy_mlp.weights_of(net)
        plan = net.compile()
        x, y = (X[0], Y[0]) if rows == 1 else (X, Y)
        from nodenet import backprop

        loss = nodenet.get_loss("l2")
        runs = {
            "default": lambda: (net.forward(x), net.backward(y)),
            "textbook": lambda: (backprop.forward_pass(net, x), backprop.backward_pass(net, y, loss)),
            "compiled": lambda: (plan.forward(X), plan.backward(Y)),
            "numpy": lambda: numpy_mlp.forward_backward(layers, X, Y),
        }
        times = {key: statistics.median(timeit.repeat(run, number=number, repeat=repeat)) / number for key, run in runs.items()}
        print(f"forward+backward, {label}: " + ", ".join(
            f"{key} {t * 1e6:.1f} us ({t / times['numpy']:.2f}x)" for key, t in times.items()))


def baseline_cost(baseline: str, repeat: int) -> None:
    """Default fit and predict of this checkout and of ``baseline``, interleaved, each in a process of its own."""
    spawn = multiprocessing.get_context("spawn")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print(f"fit and predict (default options, medians of {repeat} rounds): this checkout against {baseline}")
    for index, (name, *_rest) in enumerate(WORKLOADS):
        samples = {}
        for _ in range(repeat):  # rounds alternate the two checkouts: noisy spells hit both
            for tree in (here, baseline):
                for key in ("nodenet fit", "nodenet predict"):
                    saved = os.environ.get("PYTHONPATH")
                    os.environ["PYTHONPATH"] = os.path.abspath(tree) + (os.pathsep + saved if saved else "")
                    try:
                        with spawn.Pool(1) as pool:
                            samples.setdefault((tree, key), []).extend(pool.apply(measure, (index, key, 3)))
                    finally:
                        if saved is None:
                            os.environ.pop("PYTHONPATH")
                        else:
                            os.environ["PYTHONPATH"] = saved
        cells = []
        for key in ("nodenet fit", "nodenet predict"):
            new, old = (statistics.median(samples[(tree, key)]) for tree in (here, baseline))
            cells.append(f"{key.split()[1]} {new * 1e3:.2f} ms vs {old * 1e3:.2f} ms ({new / old:.2f}x)")
        print(f"  {name:48}" + "   ".join(cells))


def build_cost(repeat: int) -> None:
    """Median time of ``repeat`` builds (without tracing, which slows allocation) and traced peak memory of one."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        net = nodenet.Network.from_layers([784, 128, 10], seed=0)
        samples.append(time.perf_counter() - start)
        del net
    seconds = statistics.median(samples)
    tracemalloc.start()
    net = nodenet.Network.from_layers([784, 128, 10], seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"build [784,128,10] ({net.parameter_count():,} parameters): {seconds:.2f} s (median of {repeat}), "
          f"peak {peak / 2**20:.0f} MB (tracemalloc)")


def history_cost(repeat: int) -> None:
    X, Y = data([10, 20, 3], 1000)
    def runner(every):
        def run():
            net = network([10, 20, 3])
            started = time.perf_counter()
            net.fit(X, Y, epochs=50, lr=0.1, record_every=every)
            return time.perf_counter() - started
        return run
    timings = interleaved_medians({every: runner(every) for every in (0, 1)}, repeat)
    print(f"history recording every epoch ([10,20,3], n=1000, 50 epochs): {timings[1] / timings[0] - 1:+.1%} time")


def sklearn_cost(repeat: int) -> None:
    try:
        from sklearn.datasets import load_diabetes
        from sklearn.neural_network import MLPRegressor
    except ImportError:
        print("scikit-learn not installed: MLPRegressor comparison skipped")
        return
    import warnings

    X, y = load_diabetes(return_X_y=True)
    X = nodenet.MinMaxScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    epochs = 200

    def ours():
        net = nodenet.Network.from_layers([10, 20, 1], seed=0)
        started = time.perf_counter()
        net.fit(X, y, epochs=epochs, lr=0.01, batch_size=32, optimizer="adam", seed=0, record_every=0)
        return time.perf_counter() - started

    def theirs():
        model = MLPRegressor(hidden_layer_sizes=(20,), activation="logistic", solver="adam", learning_rate_init=0.01,
                             batch_size=32, max_iter=epochs, alpha=0.0, n_iter_no_change=epochs + 1, tol=0.0, random_state=0)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        return time.perf_counter() - started

    times = interleaved_medians({"ours": ours, "theirs": theirs}, repeat)
    a, b = times["ours"], times["theirs"]
    print(f"diabetes [10,20,1], Adam, batch 32, {epochs} epochs: nodenet {a:.2f} s, MLPRegressor {b:.2f} s, ratio {a / b:.2f}x")


if __name__ == "__main__":
    main()
