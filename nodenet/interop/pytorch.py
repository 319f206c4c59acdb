"""PyTorch: any network as a ``torch.nn.Module``, and modules or their state dicts back as networks.

:func:`to_torch` gives a module of ``nn.Parameter`` s with no Python loop
over nodes in its ``forward``, so it trains with ``DistributedDataParallel``,
autocast and ``torch.compile``:

* a dense layered network becomes an ``nn.Sequential`` of ``nn.Linear`` and
  activation modules (state-dict keys ``0.weight``, ``0.bias``, ...);
* any other DAG becomes a :class:`LevelModule`: the compiled plan's levels
  (longest path from the inputs), one matrix product each, with a fixed mask
  so that absent connections stay absent and get no gradient.

The module carries its manifest (:mod:`nodenet.manifest`) as
``module.nodenet_manifest``; :func:`from_torch` reads a module, or a state
dict with its manifest (the ``module.`` prefix of DDP and the ``_orig_mod.``
prefix of ``torch.compile`` are understood), or a plain ``nn.Sequential``.
PyTorch is the optional ``torch`` extra; it is imported on first use.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from ..errors import FormatError, InvalidArgument, MissingDependency, install_hint
from ..factory import assign_layers, check_network, layered_network
from ..manifest import describe, levels, load_manifest, network_from, parameter_values
from ..parameters import Parameters

__all__ = ["to_torch", "from_torch", "torch_loss", "LevelModule"]

SOFTPLUS_THRESHOLD = 36.0  # beyond it x + log1p(exp(-x)) == x in float64: torch's linear branch is then exact


def _torch() -> Any:
    try:
        import torch
    except ImportError as err:
        raise MissingDependency(
            f"This needs PyTorch, the optional 'torch' extra: {install_hint('torch')} (a CPU build is enough)."
        ) from err
    return torch


def _activation_module(spec: Any, name: str) -> Any:
    nn = _torch().nn
    kind = spec if isinstance(spec, str) else spec.get("name")
    if kind == "identity":
        return nn.Identity()
    if kind == "sigmoid":
        return nn.Sigmoid()
    if kind == "tanh":
        return nn.Tanh()
    if kind == "relu":
        return nn.ReLU()
    if kind == "leaky_relu":
        return nn.LeakyReLU(0.01 if isinstance(spec, str) else spec["slope"])
    if kind == "softplus":
        return nn.Softplus(threshold=SOFTPLUS_THRESHOLD)
    raise InvalidArgument(
        f"Node {name!r} uses the activation {spec!r}, which has no PyTorch module here; "
        "use identity, sigmoid, tanh, relu, leaky_relu, softplus or softmax outputs."
    )


def _dense_layers(net: Any) -> list[list[Any]] | None:
    """The layers of a fully connected layered network (outputs last, in order), else None."""
    position = {node: i for i, node in enumerate(net.nodes)}
    depth_layers = [list(net.inputs)] + [sorted(level, key=position.__getitem__) for level in levels(net)]
    for previous, layer in zip(depth_layers, depth_layers[1:]):
        activations = {node.activation_function.key() for node in layer}
        if len(activations) != 1:
            return None
        for node in layer:
            if [c.source for c in node.incoming] != previous:
                return None
        if any(node.kind == "output" for node in layer) and layer is not depth_layers[-1]:
            return None
    if depth_layers[-1] != net.outputs or any(n.outgoing for n in depth_layers[-1]):
        return None
    return depth_layers


def to_torch(net: Any, *, dtype: Any = None, manifest: Any = None) -> Any:
    """The network as a ``torch.nn.Module`` with the same numbers (float64 by default).

    Parameters
    ----------
    net : Network
    dtype : torch.dtype, optional
        ``torch.float64`` unless given.
    manifest : str or os.PathLike, optional
        Also write the manifest there as JSON (it is always ``module.nodenet_manifest``).

    Examples
    --------
    >>> import nodenet, torch
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> module = nodenet.to_torch(net)
    >>> module
    Sequential(
      (0): Linear(in_features=3, out_features=2, bias=True)
      (1): Sigmoid()
      (2): Linear(in_features=2, out_features=1, bias=True)
      (3): Identity()
    )
    >>> bool(module(torch.tensor([[0.5, 0.2, 0.7]], dtype=torch.float64)).item() == net.forward([0.5, 0.2, 0.7])[0])
    True
    >>> module.nodenet_manifest["parameters"]["I1->H4"]
    ['0.weight', [0, 0]]
    """
    check_network(net, "to_torch")
    net.validate()
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise InvalidArgument(f"dtype must be a floating torch dtype such as torch.float64; got {dtype!r}.")
    layers = _dense_layers(net)
    if layers is not None:
        module, positions = _sequential(net, layers, dtype)
        kind = "sequential"
    else:
        module = LevelModule(net, dtype)
        positions, kind = module.positions, "levels"
    module.nodenet_manifest = describe(net, kind, positions, {k: v.shape for k, v in module.state_dict().items()})
    if manifest is not None:
        with open(os.fspath(manifest), "w", encoding="utf-8") as stream:
            json.dump(module.nodenet_manifest, stream, indent=1)
    return module


def _sequential(net: Any, layers: list[list[Any]], dtype: Any) -> tuple[Any, dict]:
    torch = _torch()
    modules, positions = [], {}
    for number, (sources, targets) in enumerate(zip(layers, layers[1:])):
        linear = torch.nn.Linear(len(sources), len(targets), dtype=dtype)
        key = 2 * number
        with torch.no_grad():
            for row, node in enumerate(targets):
                for column, conn in enumerate(node.incoming):
                    linear.weight[row, column] = conn.weight
                    positions[conn.name] = (f"{key}.weight", [row, column])
                linear.bias[row] = node.bias
                positions[node.bias_name] = (f"{key}.bias", [row])
        activation = targets[0].activation_function
        modules += [linear, torch.nn.Softmax(dim=1) if activation.is_group
                    else _activation_module(activation.to_spec(), targets[0].name)]
    return torch.nn.Sequential(*modules), positions


def _level_module_class() -> Any:
    torch = _torch()

    class LevelModule(torch.nn.Module):  # type: ignore[name-defined]  # torch is imported on first use
        """A DAG as levels: ``pre = post[:, sources] @ (W * mask)ᵀ + b``, one product per level."""

        def __init__(self, net: Any, dtype: Any) -> None:
            super().__init__()
            by_level = levels(net)
            column = {node: i for i, node in enumerate(net.inputs)}
            self.weights = torch.nn.ParameterList()
            self.biases = torch.nn.ParameterList()
            self.activations = torch.nn.ModuleList()
            self.runs: list[list[tuple[int, int]]] = []
            self.positions: dict[str, tuple[str, list[int]]] = {}
            pre_column: dict[Any, int] = {}
            for number, members in enumerate(by_level):
                sources = sorted({c.source for node in members for c in node.incoming}, key=column.__getitem__)
                where = {source: i for i, source in enumerate(sources)}
                weight, mask = np.zeros((len(members), len(sources))), np.zeros((len(members), len(sources)))
                for row, node in enumerate(members):
                    for conn in node.incoming:
                        weight[row, where[conn.source]] = conn.weight
                        mask[row, where[conn.source]] = 1.0
                        self.positions[conn.name] = (f"weights.{number}", [row, where[conn.source]])
                    self.positions[node.bias_name] = (f"biases.{number}", [row])
                self.weights.append(torch.nn.Parameter(torch.tensor(weight, dtype=dtype)))
                self.biases.append(torch.nn.Parameter(torch.tensor([n.bias for n in members], dtype=dtype)))
                self.register_buffer(f"mask{number}", torch.tensor(mask, dtype=dtype), persistent=False)
                self.register_buffer(f"sources{number}", torch.tensor([column[s] for s in sources], dtype=torch.long),
                                     persistent=False)
                runs, modules, start = [], torch.nn.ModuleList(), 0
                for stop in range(1, len(members) + 1):
                    if stop == len(members) or members[stop].activation_function != members[start].activation_function:
                        spec = members[start].activation_function
                        modules.append(torch.nn.Identity() if spec.is_group
                                       else _activation_module(spec.to_spec(), members[start].name))
                        runs.append((start, stop))
                        start = stop
                self.activations.append(modules)
                self.runs.append(runs)
                for node in members:
                    pre_column[node] = sum(len(level) for level in by_level[:number]) + members.index(node)
                    column[node] = len(column)
            self.register_buffer("outputs", torch.tensor([column[n] for n in net.outputs], dtype=torch.long),
                                 persistent=False)
            self.groups = []
            for number, members in enumerate(net.groups().values()):
                self.register_buffer(f"group{number}", torch.tensor([pre_column[m] for m in members]), persistent=False)
                self.register_buffer(f"group_at{number}", torch.tensor([net.outputs.index(m) for m in members]),
                                     persistent=False)
                self.groups.append(number)

        def forward(self, x: Any) -> Any:
            if x.dim() != 2:
                raise InvalidArgument(f"The module takes batches (n, p); got shape {tuple(x.shape)} (use x[None, :]).")
            signals, pres = x, []
            for number, (weight, bias) in enumerate(zip(self.weights, self.biases)):
                sources = signals.index_select(1, getattr(self, f"sources{number}"))
                pre = sources @ (weight * getattr(self, f"mask{number}")).t() + bias
                parts = [act(pre[:, a:b]) for act, (a, b) in zip(self.activations[number], self.runs[number])]
                signals = torch.cat([signals, *parts], dim=1)
                pres.append(pre)
            out = signals.index_select(1, self.outputs)
            if self.groups:
                every_pre = torch.cat(pres, dim=1)
                for number in self.groups:
                    probabilities = torch.softmax(every_pre.index_select(1, getattr(self, f"group{number}")), dim=1)
                    out = out.index_copy(1, getattr(self, f"group_at{number}"), probabilities)
            return out

    return LevelModule


def LevelModule(net: Any, dtype: Any) -> Any:  # noqa: N802 - builds the class on first use (torch is optional)
    """A :class:`torch.nn.Module` of the network's levels (see the module notes)."""
    return _level_module_class()(net, dtype)


def from_torch(source: Any, *, manifest: Any = None) -> Any:
    """A :class:`nodenet.Network` from a module made by :func:`to_torch`, a state dict and its manifest,
    or a plain ``nn.Sequential`` of ``nn.Linear`` and supported activations.

    Raises :class:`FormatError` naming the key or the layer for a missing key, a wrong shape, an
    unsupported layer or a non-zero entry where the network has no connection.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> back = nodenet.from_torch(nodenet.to_torch(net))
    >>> [c.weight for c in back.connections] == [c.weight for c in net.connections]
    True
    """
    torch = _torch()
    module = source
    wrappers = {"DistributedDataParallel": "module", "DataParallel": "module", "OptimizedModule": "_orig_mod"}
    while type(module).__name__ in wrappers and isinstance(getattr(module, wrappers[type(module).__name__], None),
                                                           torch.nn.Module):  # DDP, torch.compile, in any nesting
        module = getattr(module, wrappers[type(module).__name__])
    if isinstance(module, torch.nn.Module):
        if manifest is None and getattr(module, "nodenet_manifest", None) is None:
            return _from_sequential(module)
        state = module.state_dict()
        manifest = module.nodenet_manifest if manifest is None else manifest
    else:
        state = source
        if manifest is None:
            raise InvalidArgument("A state dict needs its manifest: from_torch(state_dict, manifest=...).")
    manifest = load_manifest(manifest)
    net = network_from(manifest)
    Parameters(net).assign(parameter_values(manifest, net, state))
    return net


def _from_sequential(module: Any) -> Any:
    torch = _torch()
    nn = torch.nn
    if not isinstance(module, nn.Sequential):
        raise FormatError(
            f"{type(module).__name__} is not a module made by nodenet.to_torch nor an nn.Sequential; "
            "pass its state dict with manifest=..."
        )
    names = {nn.Identity: "identity", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu",
             nn.LeakyReLU: "leaky_relu", nn.Softplus: "softplus", nn.Softmax: "softmax"}
    linears, activations = [], []
    previous_was_linear = False
    for key, layer in module.named_children():
        if type(layer) is nn.Linear:  # exact classes: a subclass may compute something else
            linears.append((key, layer))
            activations.append("identity")
            previous_was_linear = True
        elif type(layer) in names and linears and previous_was_linear:
            activations[-1] = _activation_spec(key, layer)
            previous_was_linear = False
        elif type(layer) in names:
            raise FormatError(f"Layer {key!r} ({type(layer).__name__}) must follow an nn.Linear: nodenet has one "
                              "activation per node, after its weighted sum.")
        else:
            raise FormatError(f"Layer {key!r} ({type(layer).__name__}) is not supported: use nn.Linear and the "
                              "activations Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus and Softmax.")
    if not linears:
        raise FormatError("The nn.Sequential holds no nn.Linear layer.")
    widths = [linears[0][1].in_features] + [layer.out_features for _, layer in linears]
    matrices, vectors = [], []
    for number, (key, linear) in enumerate(linears):
        weight = linear.weight.detach().cpu().numpy()
        if weight.shape != (widths[number + 1], widths[number]):
            raise FormatError(f"Layer {key!r} has weight shape {weight.shape}; the layer before it has "
                              f"{widths[number]} outputs.")
        matrices.append(weight.T)
        vectors.append(linear.bias.detach().cpu().numpy() if linear.bias is not None else np.zeros(widths[number + 1]))
    net, layers = layered_network(widths, activations)
    assign_layers(layers, matrices, vectors)
    return net


def _activation_spec(key: str, layer: Any) -> Any:
    """The nodenet activation of a torch activation layer that follows an ``nn.Linear``, or a FormatError."""
    nn = _torch().nn
    if isinstance(layer, nn.LeakyReLU):
        if not 0.0 <= float(layer.negative_slope) < 1.0:
            raise FormatError(f"Layer {key!r} is LeakyReLU({layer.negative_slope}); nodenet takes slopes in [0, 1).")
        return {"name": "leaky_relu", "slope": float(layer.negative_slope)}
    if isinstance(layer, nn.Softplus) and (float(layer.beta) != 1.0 or float(layer.threshold) < SOFTPLUS_THRESHOLD):
        raise FormatError(f"Layer {key!r} is Softplus(beta={layer.beta}, threshold={layer.threshold}); nodenet's "
                          f"softplus is beta 1 with threshold >= {SOFTPLUS_THRESHOLD} (where the two agree).")
    if isinstance(layer, nn.Softmax) and layer.dim not in (1, -1):
        raise FormatError(f"Layer {key!r} is Softmax(dim={layer.dim}); nodenet's softmax runs over the outputs (dim=1).")
    names = {nn.Identity: "identity", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu",
             nn.Softplus: "softplus", nn.Softmax: "softmax"}
    return names[type(layer)]


def torch_loss(name: str = "l2") -> Any:
    """The PyTorch loss module that matches nodenet's ``loss=name`` (a mean over the batch).

    ``"l2"``: ``0.5 · Σ_outputs (ŷ − y)²`` averaged over the batch;
    ``"cross_entropy"``: ``−Σ_outputs y · log ŷ`` averaged over the batch, on probabilities (softmax
    or sigmoid outputs), clipped at the smallest positive float as nodenet does.

    >>> import torch
    >>> torch_loss("l2")(torch.tensor([[1.0], [3.0]]), torch.tensor([[0.0], [0.0]])).item()
    2.5
    """
    torch = _torch()

    def batches(predicted: Any, target: Any) -> None:
        if predicted.dim() != 2 or tuple(target.shape) != tuple(predicted.shape):
            raise InvalidArgument(f"torch_loss takes batches (n, k) of outputs and targets of one shape; got "
                                  f"{tuple(predicted.shape)} and {tuple(target.shape)} (reshape one sample to (1, k)).")

    class L2(torch.nn.Module):  # type: ignore[name-defined]
        def forward(self, predicted: Any, target: Any) -> Any:
            batches(predicted, target)
            return 0.5 * ((predicted - target) ** 2).sum() / predicted.shape[0]

    class CrossEntropy(torch.nn.Module):  # type: ignore[name-defined]
        def forward(self, predicted: Any, target: Any) -> Any:
            batches(predicted, target)
            tiny = torch.finfo(predicted.dtype).tiny
            return -(target * torch.log(torch.clamp(predicted, min=tiny))).sum() / predicted.shape[0]

    losses = {"l2": L2, "cross_entropy": CrossEntropy}
    if not isinstance(name, str) or name not in losses:
        raise InvalidArgument(f"Unknown loss {name!r}; choose one of {', '.join(losses)}.")
    return losses[name]()
