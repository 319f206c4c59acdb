"""Classify wines: softmax outputs, cross-entropy loss, a held-out test split.

scikit-learn's bundled wine data set (178 wines, 13 chemical measurements,
3 cultivars; install the ``examples`` extra).  The features are min/max
scaled to [-1, 1] on the training rows only, the cultivars one-hot coded, and
a 13-8-3 network (tanh hidden nodes, softmax outputs) is trained with Adam
on mini-batches of 16.

Run it with ``python examples/classification.py`` (``NODENET_EPOCHS``
overrides the number of epochs).
"""

from __future__ import annotations

import os
import time

import numpy as np
from sklearn.datasets import load_wine

import nodenet

HIDDEN = 8
EPOCHS = 200
LR = 0.01
BATCH = 16


def prepare(seed: int = 0) -> tuple:
    """Scaled training and test rows, one-hot training targets, test labels."""
    data = load_wine()
    X_train, X_test, y_train, y_test = nodenet.train_test_split(data.data, data.target, test_size=0.3, seed=seed)
    scaler = nodenet.MinMaxScaler(feature_range=(-1, 1)).fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def main(epochs: int = EPOCHS, *, seed: int = 0, verbose: bool = True) -> dict:
    """Train and evaluate; return the test accuracy and the fit time in seconds."""
    X_train, X_test, y_train, y_test = prepare(seed)
    classes = np.unique(y_train)
    net = nodenet.Network.from_layers(
        [X_train.shape[1], HIDDEN, classes.size], hidden="tanh", output="softmax", init="glorot", seed=seed
    )
    start = time.perf_counter()
    history = net.fit(
        X_train, nodenet.one_hot(y_train, classes), epochs=epochs, lr=LR, batch_size=BATCH,
        optimizer="adam", loss="cross_entropy", seed=seed, record_every=0,
    )
    seconds = time.perf_counter() - start
    predicted = nodenet.from_one_hot(net.predict(X_test), classes)
    accuracy = float(np.mean(predicted == y_test))
    if verbose:
        print(f"wine, {X_train.shape[0]} training / {X_test.shape[0]} test rows, {net}")
        print(f"{epochs} epochs in {seconds:.2f} s, final training loss {history.loss[-1]:.4f}")
        print(f"test accuracy {accuracy:.3f}")
    return {"accuracy": accuracy, "seconds": seconds}


if __name__ == "__main__":
    main(int(os.environ.get("NODENET_EPOCHS", str(EPOCHS))))
