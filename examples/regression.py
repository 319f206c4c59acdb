"""Predict diabetes progression: a regression network and its R² on held-out rows.

scikit-learn's bundled diabetes data set (442 patients, 10 baseline
measurements, a disease-progression score; install the ``examples`` extra).
Features and response are min/max scaled on the training rows (the
chapter's normalization), a 10-8-1 network (tanh hidden nodes, identity
output, L2 loss) is trained with Adam on mini-batches of 32, and its
predictions are back-transformed to the original units before scoring.

Run it with ``python examples/regression.py`` (``NODENET_EPOCHS`` overrides
the number of epochs).
"""

from __future__ import annotations

import os
import time

import numpy as np
from sklearn.datasets import load_diabetes

import nodenet

HIDDEN = 8
EPOCHS = 200
LR = 0.01
BATCH = 32


def r_squared(y: np.ndarray, predicted: np.ndarray) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot."""
    return float(1.0 - np.sum((y - predicted) ** 2) / np.sum((y - np.mean(y)) ** 2))


def prepare(seed: int = 0) -> tuple:
    """Scaled training and test rows, scaled training targets, test targets, the target scaler."""
    data = load_diabetes()
    X_train, X_test, y_train, y_test = nodenet.train_test_split(data.data, data.target, test_size=0.25, seed=seed)
    features = nodenet.MinMaxScaler(feature_range=(-1, 1)).fit(X_train)
    response = nodenet.MinMaxScaler(feature_range=(0, 1)).fit(y_train)
    return features.transform(X_train), features.transform(X_test), response.transform(y_train), y_test, response


def main(epochs: int = EPOCHS, *, seed: int = 0, verbose: bool = True) -> dict:
    """Train and evaluate; return the test R² and the fit time in seconds."""
    X_train, X_test, z_train, y_test, response = prepare(seed)
    net = nodenet.Network.from_layers([X_train.shape[1], HIDDEN, 1], hidden="tanh", output="identity", init="glorot", seed=seed)
    start = time.perf_counter()
    history = net.fit(
        X_train, z_train, epochs=epochs, lr=LR, batch_size=BATCH, optimizer="adam", seed=seed, record_every=0
    )
    seconds = time.perf_counter() - start
    predicted = response.inverse_transform(net.predict(X_test)[:, 0])
    r2 = r_squared(y_test, predicted)
    if verbose:
        print(f"diabetes, {X_train.shape[0]} training / {X_test.shape[0]} test rows, {net}")
        print(f"{epochs} epochs in {seconds:.2f} s, final training loss {history.loss[-1]:.5f}")
        print(f"test R² {r2:.3f}")
    return {"r2": r2, "seconds": seconds}


if __name__ == "__main__":
    main(int(os.environ.get("NODENET_EPOCHS", str(EPOCHS))))
