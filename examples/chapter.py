"""The chapter's worked example: a 3-2-1 network learns one sample.

Sigmoid hidden nodes, an identity output, the L2 loss, the chapter's initial
weights (``seed=13``) and full-batch gradient descent with ``lr=0.2``: the
prediction for x = (0.5, 0.2, 0.7) climbs from 0.0991 to the target 0.3.

Run it with ``python examples/chapter.py`` (``NODENET_EPOCHS`` overrides the
number of epochs).
"""

from __future__ import annotations

import os

import nodenet

X = [[0.5, 0.2, 0.7]]
Y = [[0.3]]


def main(epochs: int = 1000, *, verbose: bool = True) -> dict:
    """Train the chapter's network; return the final prediction and loss."""
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    history = net.fit(X, Y, epochs=epochs, lr=0.2)
    if verbose:
        for epoch in sorted({e for e in (0, 1, 2, 5, 10, 20, 50, 100) if e < epochs} | {epochs}):
            print(f"epoch {epoch:5d}: prediction {history.predictions[epoch, 0]:.6f}")
        print(f"target {Y[0][0]}, final prediction {float(net.predict(X[0])[0]):.6f}")
    return {"prediction": float(net.predict(X[0])[0]), "loss": float(history.loss[-1])}


if __name__ == "__main__":
    main(int(os.environ.get("NODENET_EPOCHS", "1000")))
