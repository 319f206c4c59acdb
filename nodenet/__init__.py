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
from .data import MinMaxScaler, from_one_hot, one_hot, train_test_split
from .errors import (
    CycleError,
    DivergenceError,
    FormatError,
    GraphvizNotFound,
    InvalidArgument,
    MissingDependency,
    NodeNotFound,
    NodenetError,
    NotComputedError,
    ShapeError,
    TopologyError,
)
from .html import export_html
from .initializers import INITIALIZERS, initialize
from .io import load, save
from .losses import LOSSES, Loss, get_loss
from .network import Network
from .node import Node
from .optimizers import (
    SCHEDULES,
    Adam,
    ChapterDecay,
    Constant,
    ExponentialDecay,
    Optimizer,
    Schedule,
    SGD,
    StepDecay,
    TimeDecay,
)
from .plotting import plot_history
from .render import render, to_dot, to_svg
from .testing.gradients import GradientReport, check_gradients
from .training import EpochInfo, History, fit, predict

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "Adam",
    "ChapterDecay",
    "check_gradients",
    "Connection",
    "Constant",
    "CycleError",
    "DivergenceError",
    "EpochInfo",
    "export_html",
    "ExponentialDecay",
    "fit",
    "FormatError",
    "from_one_hot",
    "get_activation",
    "get_loss",
    "GradientReport",
    "GraphvizNotFound",
    "History",
    "initialize",
    "INITIALIZERS",
    "InvalidArgument",
    "load",
    "Loss",
    "LOSSES",
    "MinMaxScaler",
    "MissingDependency",
    "Network",
    "Node",
    "NodenetError",
    "NodeNotFound",
    "NotComputedError",
    "one_hot",
    "Optimizer",
    "plot_history",
    "predict",
    "render",
    "save",
    "Schedule",
    "SCHEDULES",
    "SGD",
    "ShapeError",
    "StepDecay",
    "TimeDecay",
    "to_dot",
    "to_svg",
    "TopologyError",
    "train_test_split",
    "__version__",
]
