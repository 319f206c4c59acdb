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

from . import datasets
from .activations import ACTIVATIONS, Activation, get_activation, register_activation
from .connection import Connection
from .data import MinMaxScaler, from_one_hot, one_hot, train_test_split
from .engine import predict
from .errors import (
    ArgumentTypeError,
    CycleError,
    DivergenceError,
    FormatError,
    GraphvizNotFound,
    InvalidArgument,
    MissingDependency,
    NodenetError,
    NodeNotFound,
    NotComputedError,
    NumericalError,
    ReadOnlyAttribute,
    ShapeError,
    TopologyError,
)
from .explain import Explanation
from .history import History
from .initializers import INITIALIZERS, initialize
from .interop.onnx import from_onnx, to_onnx
from .interop.pytorch import from_torch, to_torch, torch_loss
from .interop.sklearn import from_sklearn
from .io import load, save
from .lab import Lab, export_html
from .lint import Finding
from .losses import LOSSES, Loss, get_loss
from .network import Network
from .node import Node
from .optimizers import SGD, Adam, Optimizer
from .paths import Path
from .plotting import plot_history
from .render import render, to_dot, to_svg
from .schedules import SCHEDULES, ChapterDecay, Constant, ExponentialDecay, Schedule, StepDecay, TimeDecay
from .stepping import Step
from .testing.gradients import GradientReport, check_gradients
from .training import EpochInfo, fit

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # nodenet.sklearn needs scikit-learn, an optional extra: imported on first use, never by `import nodenet`;
    # nodenet.exercises (worksheets) is imported on first use too
    if name in ("sklearn", "exercises"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nodenet' has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Adam",
    "ChapterDecay",
    "Connection",
    "Constant",
    "CycleError",
    "DivergenceError",
    "EpochInfo",
    "Explanation",
    "ExponentialDecay",
    "Finding",
    "FormatError",
    "GradientReport",
    "GraphvizNotFound",
    "History",
    "INITIALIZERS",
    "InvalidArgument",
    "LOSSES",
    "Loss",
    "MinMaxScaler",
    "MissingDependency",
    "ArgumentTypeError",
    "NumericalError",
    "ReadOnlyAttribute",
    "register_activation",
    "to_torch",
    "from_torch",
    "torch_loss",
    "to_onnx",
    "from_onnx",
    "from_sklearn",
    "Network",
    "Node",
    "NodeNotFound",
    "NodenetError",
    "NotComputedError",
    "Optimizer",
    "Path",
    "SCHEDULES",
    "SGD",
    "Schedule",
    "ShapeError",
    "Step",
    "StepDecay",
    "TimeDecay",
    "TopologyError",
    "check_gradients",
    "export_html",
    "Lab",
    "datasets",
    "fit",
    "from_one_hot",
    "get_activation",
    "get_loss",
    "initialize",
    "load",
    "one_hot",
    "plot_history",
    "predict",
    "render",
    "save",
    "to_dot",
    "to_svg",
    "train_test_split",
    "__version__",
]
