"""Manifests: how a network's parameters sit in another framework's tensors, and back.

A manifest is a JSON-able dict that describes a network (its nodes, kinds,
activations and connections) and maps every nodenet parameter name
(``'I1->H4'``, ``'H4.bias'``) to a tensor key of a state dict and an index in
it.  :func:`nodenet.to_torch` writes one; :func:`nodenet.from_torch` and
:meth:`nodenet.History.from_checkpoints` read one.  Nothing here imports a
framework: state dicts are mappings of key to array-like values.

Examples
--------
>>> import numpy as np
>>> manifest = {"format": FORMAT, "version": VERSION, "module": "levels",
...             "nodes": [{"id": "x", "kind": "input", "activation": "identity"},
...                       {"id": "y", "kind": "output", "activation": "identity"}],
...             "edges": [{"source": "x", "target": "y"}],
...             "parameters": {"x->y": ["weights.0", [0, 0]], "y.bias": ["biases.0", [0]]},
...             "shapes": {"weights.0": [1, 1], "biases.0": [1]}}
>>> net = network_from(manifest)
>>> parameter_values(manifest, net, {"weights.0": np.array([[0.5]]), "biases.0": np.array([0.1])}).tolist()
[0.5, 0.1]
"""

from __future__ import annotations

import json
import os
import pickle
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from .errors import ArgumentTypeError, FormatError, MissingDependency, NodenetError, install_hint
from .factory import create_network
from .parameters import Parameters

if TYPE_CHECKING:
    from .structure import NetworkStructure

__all__ = [
    "FORMAT", "VERSION", "PREFIXES", "describe", "network_from", "parameter_values", "plain_state", "load_manifest",
    "read_checkpoint", "levels",
]

FORMAT = "nodenet-manifest"
VERSION = 1
PREFIXES = ("module.", "_orig_mod.")  # added by DistributedDataParallel and by torch.compile


def levels(net: Any) -> list[list[Any]]:
    """The non-input nodes by longest path from the inputs (the compiled plan's levels), equal activations adjacent.

    >>> import nodenet
    >>> [[node.name for node in level] for level in levels(nodenet.Network.from_layers([2, 2, 1], seed=0))]
    [['H3', 'H4'], ['O5']]
    """
    depth: dict[Any, int] = {}
    for node in net.nodes:
        depth[node] = -1 if node.kind == "input" else 1 + max((depth[c.source] for c in node.incoming), default=-1)
    levels: dict[int, list[Any]] = {}
    for node in net.nodes:
        if node.kind != "input":
            levels.setdefault(depth[node], []).append(node)
    order = {node: i for i, node in enumerate(net.nodes)}
    return [sorted(levels[d], key=lambda n: (repr(n.activation_function.key()[1]), order[n])) for d in sorted(levels)]


def describe(
    net: NetworkStructure, module: str, positions: Mapping[str, tuple[str, list[int]]], shapes: Mapping[str, Any]
) -> dict:
    """The manifest of ``net`` whose parameters sit at ``positions`` (name -> (key, index)) in tensors of ``shapes``."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "module": module,
        # declaration order, so that the rebuilt network has the same order of outputs and of ties
        "nodes": [{"id": n.name, "kind": n.kind, "activation": n.activation_function.to_spec()}
                  for n in (net.graph.nodes[name]["node"] for name in net.graph.nodes)],
        "edges": [{"source": c.source.name, "target": c.target.name} for c in net.connections],
        "parameters": {name: [key, list(index)] for name, (key, index) in positions.items()},
        "shapes": {key: [int(n) for n in shape] for key, shape in shapes.items()},
    }


def network_from(manifest: Any) -> Any:
    """A :class:`nodenet.Network` with the manifest's structure (weights and biases 0.0), checked."""
    _check(isinstance(manifest, Mapping), f"a manifest is a dict (or its JSON file); got {type(manifest).__name__}")
    _check(manifest.get("format") == FORMAT and manifest.get("version") == VERSION,
           f"not a nodenet manifest of version {VERSION} (format {manifest.get('format')!r})")
    for key, kind in (("nodes", list), ("edges", list), ("parameters", dict), ("shapes", dict)):
        _check(isinstance(manifest.get(key), kind), f"the manifest's {key!r} must be a {kind.__name__}")
    net = create_network()
    try:
        for entry in manifest["nodes"]:
            name, kind, activation = entry["id"], entry["kind"], entry["activation"]
            if kind == "input":
                net.add_input(name)
            elif kind == "hidden":
                net.add_node(name, activation=activation)
            elif kind == "output":
                net.add_output(name, activation=activation)
            else:
                raise FormatError(f"node {name!r} has kind {kind!r}; expected input, hidden or output")
        for entry in manifest["edges"]:
            net.connect(entry["source"], entry["target"])
        net.validate()
    except (NodenetError, KeyError, TypeError) as err:
        raise FormatError(f"The manifest describes no valid network: {err}") from err
    missing = [name for name in Parameters(net).names if name not in manifest["parameters"]]
    _check(not missing, f"the manifest places no tensor for {', '.join(missing[:5])}")
    return net


def plain_state(state: Any) -> dict[str, np.ndarray]:
    """A state dict as float arrays, without the prefixes of :data:`PREFIXES`."""
    _check(isinstance(state, Mapping), f"expected a state dict (a mapping of key to tensor); got {type(state).__name__}")
    for wrapper in ("state_dict", "model"):  # the usual checkpoint layouts: {"model": state_dict, "epoch": 3}
        if isinstance(state.get(wrapper), Mapping):
            state = state[wrapper]
    plain = {}
    for key, value in state.items():
        _check(isinstance(key, str), f"state dict keys are strings; got {key!r}")
        stripped = True
        while stripped:  # DDP's module. and torch.compile's _orig_mod., nested in any order
            stripped = False
            for prefix in PREFIXES:
                if key.startswith(prefix):
                    key, stripped = key[len(prefix):], True
        if hasattr(value, "detach"):  # a framework tensor, in any floating type (bfloat16 too)
            value = value.detach().cpu()
            value = value.double().numpy() if hasattr(value, "double") else value.numpy()
        try:
            plain[key] = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as err:
            raise FormatError(f"Tensor {key!r} is not numbers: {value!r:.80}.") from err
    return plain


def parameter_values(manifest: Mapping, net: NetworkStructure, state: Any) -> np.ndarray:
    """The parameters of ``net`` (in :class:`~nodenet.parameters.Parameters` order) read from ``state``.

    Raises :class:`FormatError` naming the key for a missing tensor, an index
    outside its shape, a non-finite value, or a non-zero entry where the
    network has no connection (an absent weight must stay absent).
    """
    tensors = plain_state(state)
    placed: dict[str, list[tuple[int, ...]]] = {}
    values = []
    for name in Parameters(net).names:
        entry = manifest["parameters"][name]
        _check(isinstance(entry, (list, tuple)) and len(entry) == 2 and isinstance(entry[0], str)
               and isinstance(entry[1], (list, tuple)) and all(type(i) is int for i in entry[1]),
               f"the manifest places {name} at {entry!r}; expected [tensor key, [integer index, ...]]")
        key, index = entry
        _check(key in tensors, f"the state dict has no tensor {key!r} (for {name}); it has {', '.join(sorted(tensors)[:8])}")
        tensor = tensors[key]
        shape = manifest["shapes"].get(key, ())
        _check(isinstance(shape, (list, tuple)) and all(type(n) is int for n in shape),
               f"the manifest gives tensor {key!r} the shape {shape!r}; expected a list of integers")
        expected = tuple(shape)
        _check(tensor.shape == expected, f"tensor {key!r} has shape {list(tensor.shape)}; the manifest expects {list(expected)}")
        where = tuple(int(i) for i in index)
        _check(len(where) == tensor.ndim and all(0 <= i < n for i, n in zip(where, tensor.shape)),
               f"tensor {key!r} has shape {tensor.shape}, which has no entry {list(where)} for {name}")
        value = float(tensor[where])
        _check(np.isfinite(value), f"tensor {key!r} holds {value!r} at {list(where)} ({name}); values must be finite")
        placed.setdefault(key, []).append(where)
        values.append(value)
    for key, wheres in placed.items():
        rest = tensors[key].copy()
        for where in wheres:
            rest[where] = 0.0
        stray = np.argwhere(rest != 0.0)
        if stray.size:
            at = tuple(stray[0])
            _check(False, f"tensor {key!r} holds {float(rest[at])!r} at {list(map(int, at))}, where the network "
                          "has no connection; absent connections must stay zero")
    return np.array(values)


def load_manifest(manifest: Any) -> dict:
    """A manifest given as a dict or as the path of its JSON file."""
    if isinstance(manifest, (str, os.PathLike)):
        try:
            with open(os.fspath(manifest), encoding="utf-8") as stream:
                loaded = json.load(stream)
        except (ValueError, RecursionError) as err:
            raise FormatError(f"{os.fspath(manifest)}: not a manifest (JSON): {err}.") from err
        manifest = loaded
    if not isinstance(manifest, dict):
        raise FormatError(f"A manifest is a dict or the path of its JSON file; got {type(manifest).__name__}.")
    return manifest


def read_checkpoint(item: Any) -> Any:
    """A state dict given as is, or read from its file with ``torch.load(weights_only=True)`` (no code runs)."""
    if isinstance(item, Mapping):
        return item
    if isinstance(item, (str, os.PathLike)):
        try:
            import torch
        except ImportError as err:
            raise MissingDependency(
                f"Reading checkpoint files needs PyTorch, the optional 'torch' extra: {install_hint('torch')}."
            ) from err
        try:
            return torch.load(os.fspath(item), map_location="cpu", weights_only=True)
        except (OSError, RuntimeError, ValueError, pickle.UnpicklingError, EOFError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise FormatError(f"{os.fspath(item)}: not a checkpoint torch can read safely: {first}") from err
    raise ArgumentTypeError(f"A checkpoint is a state dict or the path of its file; got {type(item).__name__}.")


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise FormatError(problem[:1].upper() + problem[1:] + ".")
