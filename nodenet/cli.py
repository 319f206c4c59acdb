"""The ``nodenet`` command."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .errors import NodenetError

__all__ = ["main", "build_parser"]

CHAPTER_X = (0.5, 0.2, 0.7)
CHAPTER_Y = (0.3,)


def _demo(args: argparse.Namespace) -> int:
    from .network import Network

    net = Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    for epoch in range(args.epochs):
        prediction = float(net.forward(CHAPTER_X)[0])
        loss = net.backward(CHAPTER_Y)
        if epoch in (0, args.epochs - 1):
            print(f"epoch {epoch:4d}: prediction {prediction:.6f}, loss {loss:.3e}")
        for conn in net.connections:
            conn.weight -= args.lr * conn.grad_weight
        for node in net.nodes:
            if node.kind != "input":
                node.bias -= args.lr * node.grad_bias
    print(f"target {CHAPTER_Y[0]}, final prediction {float(net.forward(CHAPTER_X)[0]):.6f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nodenet`` command.

    >>> build_parser().parse_args(["demo", "--epochs", "10"]).epochs
    10
    """
    parser = argparse.ArgumentParser(prog="nodenet", description="Feed-forward networks as explicit objects.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train the chapter's 3-2-1 example and report it")
    demo.add_argument("--epochs", type=int, default=1000, help="training epochs (default 1000)")
    demo.add_argument("--lr", type=float, default=0.2, help="learning rate (default 0.2)")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    >>> main(["demo", "--epochs", "2"])
    epoch    0: prediction 0.099116, loss 2.018e-02
    epoch    1: prediction 0.169833, loss 8.472e-03
    target 0.3, final prediction 0.215787
    0
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (NodenetError, OSError) as err:
        print(f"nodenet: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
