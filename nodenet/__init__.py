"""nodenet: feed-forward neural networks as explicit, inspectable objects.

Every :class:`Node` and :class:`Connection` is a Python object held in the
:class:`networkx.DiGraph` of a :class:`Network`; each node caches its signals
and loss derivatives so that the chapter's by-hand walkthrough of
backpropagation can be read off the objects.

>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> net
Network(3 inputs, 2 hidden, 1 outputs; 8 connections, 11 parameters)
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .connection import Connection
from .errors import (
    CycleError,
    DivergenceError,
    FormatError,
    GraphvizNotFound,
    InvalidArgument,
    NodeNotFound,
    NodenetError,
    NotComputedError,
    ShapeError,
    TopologyError,
)
from .initializers import INITIALIZERS, initialize
from .losses import LOSSES, Loss, get_loss
from .network import Network
from .node import Node
from .render import render, to_dot, to_svg
from .testing.gradients import GradientReport, check_gradients

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Connection",
    "CycleError",
    "DivergenceError",
    "FormatError",
    "GradientReport",
    "GraphvizNotFound",
    "INITIALIZERS",
    "InvalidArgument",
    "LOSSES",
    "Loss",
    "Network",
    "Node",
    "NodeNotFound",
    "NodenetError",
    "NotComputedError",
    "ShapeError",
    "TopologyError",
    "check_gradients",
    "get_activation",
    "get_loss",
    "initialize",
    "render",
    "to_dot",
    "to_svg",
    "__version__",
]
