"""nodenet against scikit-learn's MLPClassifier / MLPRegressor, same shape, same epochs.

Both libraries get the same scaled data, the same split, the same network
shape (one hidden layer of 8 tanh nodes), the same optimizer (Adam, lr 0.01,
default betas), the same mini-batch size and the same number of epochs;
scikit-learn's L2 penalty is off (alpha=0) and its convergence test
disabled, so it runs every epoch.  Reports test accuracy (wine) and test R²
(diabetes) for several seeds, and the fit-time ratio.

    python benchmarks/compare_sklearn.py [--seeds 5] [--epochs 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))

import classification  # noqa: E402
import regression  # noqa: E402


def sklearn_options(module, epochs: int, seed: int) -> dict:
    return dict(
        hidden_layer_sizes=(module.HIDDEN,), activation="tanh", solver="adam", learning_rate_init=module.LR,
        batch_size=module.BATCH, max_iter=epochs, alpha=0.0, shuffle=True, random_state=seed,
        n_iter_no_change=epochs + 1, tol=0.0,
    )


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def compare_classification(epochs: int, seed: int) -> tuple[float, float, float, float]:
    ours = classification.main(epochs, seed=seed, verbose=False)
    X_train, X_test, y_train, y_test = classification.prepare(seed)
    model = MLPClassifier(**sklearn_options(classification, epochs, seed))
    seconds = timed(lambda: model.fit(X_train, y_train))
    return ours["accuracy"], float(np.mean(model.predict(X_test) == y_test)), ours["seconds"], seconds


def compare_regression(epochs: int, seed: int) -> tuple[float, float, float, float]:
    ours = regression.main(epochs, seed=seed, verbose=False)
    X_train, X_test, z_train, y_test, response = regression.prepare(seed)
    model = MLPRegressor(**sklearn_options(regression, epochs, seed))
    seconds = timed(lambda: model.fit(X_train, z_train))
    predicted = response.inverse_transform(model.predict(X_test))
    return ours["r2"], regression.r_squared(y_test, predicted), ours["seconds"], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    for title, metric, compare in (
        ("wine classification, 13-8-3, test accuracy", "accuracy", compare_classification),
        ("diabetes regression, 10-8-1, test R²", "R²", compare_regression),
    ):
        rows = np.array([compare(args.epochs, seed) for seed in range(args.seeds)])
        print(f"{title}, {args.epochs} epochs, seeds 0..{args.seeds - 1}")
        print(f"  {'seed':>4}  {'nodenet':>8}  {'sklearn':>8}  {'nodenet s':>9}  {'sklearn s':>9}")
        for seed, (ours, theirs, our_s, their_s) in enumerate(rows):
            print(f"  {seed:>4}  {ours:8.3f}  {theirs:8.3f}  {our_s:9.3f}  {their_s:9.3f}")
        mean = rows.mean(axis=0)
        print(f"  mean  {mean[0]:8.3f}  {mean[1]:8.3f}  {mean[2]:9.3f}  {mean[3]:9.3f}")
        print(f"  mean {metric}: nodenet {mean[0]:.3f}, scikit-learn {mean[1]:.3f}; "
              f"fit time ratio nodenet / scikit-learn: {mean[2] / mean[3]:.1f}x\n")


if __name__ == "__main__":
    main()
