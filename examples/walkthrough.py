"""The chapter's walkthrough of its 3-2-1 network at epoch 0, every formula with numbers.

Run ``python examples/walkthrough.py``: the forward pass node by node, the
loss, then the backward pass node by node, as the chapter computes them by
hand (with its misprints corrected: the identity output has derivative 1).
"""

import nodenet

X = [0.5, 0.2, 0.7]
Y = [0.3]


def main() -> None:
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    net.forward(X)
    loss = net.backward(Y)
    print(f"The chapter's network {net}, x = {tuple(X)}, y = {Y[0]}, epoch 0.")
    print(f"Loss L = ½ (O6 − y6)² = {loss:.4f}\n")
    print(net.explain())


if __name__ == "__main__":
    main()
