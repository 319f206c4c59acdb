"""ONNX: any network as an ONNX file (float64 by default), and such files or skl2onnx's MLPs back.

:func:`to_onnx` writes the compiled plan's levels with the ``onnx`` package's
helper API: per level a ``Gather`` of the sources' columns, ``MatMul`` by the
level's weights (zero where there is no connection) and ``Add`` of the biases,
then the activations on runs of columns (``Slice``, ``Concat``; ``Tanh``,
``Relu``, ``Identity``, and the sigmoid, leaky ReLU and softplus composed
from exact operators, see ``COMPOSED_OPS``), and ``Softmax`` on each
softmax group.  The model passes ``onnx.checker.check_model`` and carries
its manifest (:mod:`nodenet.manifest`) in its metadata, so :func:`from_onnx`
reads it back exactly.  :func:`from_onnx` also reads the ``MatMul`` + ``Add``
chains that skl2onnx writes for ``MLPRegressor`` and ``MLPClassifier``.
``onnx`` (and ``onnxruntime`` to run the files) are the optional ``onnx`` extra.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from ..checks import check_path
from ..errors import FormatError, InvalidArgument, MissingDependency, install_hint
from ..factory import assign_layers, check_network, layered_network
from ..manifest import describe, levels, network_from, parameter_values
from ..parameters import Parameters

__all__ = ["to_onnx", "from_onnx", "OPERATORS"]

ACTIVATION_OPS = {"identity": "Identity", "tanh": "Tanh", "relu": "Relu"}
# Composed from exact operators, because onnxruntime's float64 kernels would not give nodenet's numbers:
# leaky_relu as max(x, slope · x) (its LeakyRelu keeps alpha in float32: a 2e-8 relative error);
# sigmoid as where(x >= 0, 1, e) / (1 + e) with e = exp(-|x|) (its Sigmoid loses the negative tail);
# softplus as relu(x) + log1p(e), log1p(u) = log(w) · u / (w − 1) with w = 1 + u (no float64 Softplus).
COMPOSED_OPS = ("Abs", "Neg", "Exp", "Log", "Mul", "Max", "Div", "Sub", "Where", "Equal", "GreaterOrEqual")
OPERATORS = {"Gather", "MatMul", "Add", "Slice", "Concat", "Softmax", *ACTIVATION_OPS.values(), *COMPOSED_OPS}
SKL2ONNX_AFTER = {"Reshape", "Sub", "Concat", "ArgMax", "ArrayFeatureExtractor", "Cast", "ZipMap", "Identity"}
MANIFEST_KEY = "nodenet_manifest"


def _onnx() -> Any:
    try:
        import onnx
    except ImportError as err:
        raise MissingDependency(f"This needs the 'onnx' package, the optional 'onnx' extra: {install_hint('onnx')}.") from err
    return onnx


def to_onnx(net: Any, path: Any, *, dtype: Any = np.float64, opset: int = 17) -> Any:
    """Write ``net`` as an ONNX model (input ``X`` of shape ``(n, p)``, output ``Y`` of shape ``(n, k)``).

    Returns the path written.

    Examples
    --------
    >>> import nodenet, tempfile, pathlib, onnxruntime
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> path = nodenet.to_onnx(net, pathlib.Path(tempfile.mkdtemp()) / "net.onnx")
    >>> session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    >>> bool(session.run(None, {"X": [[0.5, 0.2, 0.7]]})[0][0, 0] == net.forward([0.5, 0.2, 0.7])[0])
    True
    """
    check_network(net, "to_onnx")
    check_path(path, "to_onnx")
    net.validate()
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise InvalidArgument(f"dtype must be a floating type such as numpy.float64; got {dtype!r}.")
    if isinstance(opset, bool) or not isinstance(opset, int) or opset < 13:
        raise InvalidArgument(f"opset must be an int >= 13 (Gather, Slice and Softmax as written here); got {opset!r}.")
    onnx = _onnx()
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    element = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    nodes, initializers, positions = [], [], {}
    column = {node: i for i, node in enumerate(net.inputs)}
    pre_of: dict[Any, tuple[str, int]] = {}

    def constant(name: str, value: Any, kind: Any = dtype) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value, dtype=kind), name))
        return name

    signals = "X"
    for number, members in enumerate(levels(net)):
        sources = sorted({c.source for node in members for c in node.incoming}, key=column.__getitem__)
        where = {source: i for i, source in enumerate(sources)}
        weights = np.zeros((len(sources), len(members)))
        for row, node in enumerate(members):
            for conn in node.incoming:
                weights[where[conn.source], row] = conn.weight
                positions[conn.name] = (f"W{number}", [where[conn.source], row])
            positions[node.bias_name] = (f"b{number}", [row])
        gathered = f"sources{number}"
        nodes.append(helper.make_node("Gather", [signals, constant(f"columns{number}", [column[s] for s in sources],
                                                                    np.int64)], [gathered], axis=1))
        nodes.append(helper.make_node("MatMul", [gathered, constant(f"W{number}", weights)], [f"product{number}"]))
        nodes.append(helper.make_node("Add", [f"product{number}", constant(f"b{number}", [n.bias for n in members])],
                                      [f"pre{number}"]))
        parts, start = [], 0
        for stop in range(1, len(members) + 1):
            if stop == len(members) or members[stop].activation_function != members[start].activation_function:
                part = f"post{number}_{start}"
                nodes.append(helper.make_node(
                    "Slice", [f"pre{number}", constant(f"start{number}_{start}", [start], np.int64),
                              constant(f"stop{number}_{start}", [stop], np.int64),
                              constant(f"axis{number}_{start}", [1], np.int64)], [f"slice{number}_{start}"]))
                nodes += _activation_nodes(helper, members[start], f"slice{number}_{start}", part, constant)
                parts.append(part)
                start = stop
        for offset, node in enumerate(members):
            pre_of[node] = (f"pre{number}", offset)
            column[node] = len(column)
        nodes.append(helper.make_node("Concat", [signals, *parts], [f"signals{number}"], axis=1))
        signals = f"signals{number}"
    outputs, emitted = [], set()
    grouped = {member: members for members in net.groups().values() for member in members}
    for position, node in enumerate(net.outputs):
        name = f"output{position}"
        if node in grouped:
            members = grouped[node]
            group = f"group_{net.outputs.index(members[0])}"
            if group not in emitted:  # the group's softmax, before the first output that reads it
                emitted.add(group)
                logits = []
                for member in members:
                    level, offset = pre_of[member]
                    nodes.append(helper.make_node("Gather", [level, constant(f"at_{member.name}_pre", [offset], np.int64)],
                                                  [f"logit{len(initializers)}"], axis=1))
                    logits.append(nodes[-1].output[0])
                nodes.append(helper.make_node("Concat", logits, [f"{group}_logits"], axis=1))
                nodes.append(helper.make_node("Softmax", [f"{group}_logits"], [group], axis=1))
            nodes.append(helper.make_node("Gather", [group, constant(f"at{position}", [members.index(node)], np.int64)],
                                          [name], axis=1))
        else:
            nodes.append(helper.make_node("Gather", [signals, constant(f"at{position}", [column[node]], np.int64)],
                                          [name], axis=1))
        outputs.append(name)
    nodes.append(helper.make_node("Concat", outputs, ["Y"], axis=1))
    graph = helper.make_graph(
        nodes, "nodenet", [helper.make_tensor_value_info("X", element, [None, len(net.inputs)])],
        [helper.make_tensor_value_info("Y", element, [None, len(net.outputs)])], initializers,
    )
    model = helper.make_model(graph, producer_name="nodenet", opset_imports=[helper.make_opsetid("", opset)])
    shapes = {init.name: list(init.dims) for init in initializers if init.name[0] in "Wb"}
    manifest = describe(net, "onnx levels", positions, shapes)
    helper.set_model_props(model, {MANIFEST_KEY: json.dumps(manifest)})
    onnx.checker.check_model(model)
    onnx.save(model, os.fspath(path))
    return path


def _activation_nodes(helper: Any, node: Any, source: str, target: str, constant: Any) -> list[Any]:
    activation = node.activation_function
    if activation.is_group:
        return [helper.make_node("Identity", [source], [target])]  # a softmax group's post comes later
    spec = activation.to_spec()
    kind = spec if isinstance(spec, str) else spec.get("name")
    if kind in ("sigmoid", "softplus"):
        t = target
        one, zero = constant(f"{t}_one", 1.0), constant(f"{t}_zero", 0.0)
        made = [helper.make_node("Abs", [source], [f"{t}_abs"]), helper.make_node("Neg", [f"{t}_abs"], [f"{t}_neg"]),
                helper.make_node("Exp", [f"{t}_neg"], [f"{t}_e"]), helper.make_node("Add", [f"{t}_e", one], [f"{t}_w"])]
        if kind == "sigmoid":
            return made + [
                helper.make_node("GreaterOrEqual", [source, zero], [f"{t}_up"]),
                helper.make_node("Where", [f"{t}_up", one, f"{t}_e"], [f"{t}_top"]),
                helper.make_node("Div", [f"{t}_top", f"{t}_w"], [t]),
            ]
        return made + [
            helper.make_node("Sub", [f"{t}_w", one], [f"{t}_d"]),
            helper.make_node("Log", [f"{t}_w"], [f"{t}_log"]),
            helper.make_node("Mul", [f"{t}_log", f"{t}_e"], [f"{t}_scaled"]),
            helper.make_node("Div", [f"{t}_scaled", f"{t}_d"], [f"{t}_ratio"]),
            helper.make_node("Equal", [f"{t}_d", zero], [f"{t}_tiny"]),
            helper.make_node("Where", [f"{t}_tiny", f"{t}_e", f"{t}_ratio"], [f"{t}_log1p"]),
            helper.make_node("Relu", [source], [f"{t}_relu"]),
            helper.make_node("Add", [f"{t}_relu", f"{t}_log1p"], [t]),
        ]
    if kind == "leaky_relu":
        scaled = f"{target}_scaled"
        return [helper.make_node("Mul", [source, constant(f"{target}_slope", activation.slope)], [scaled]),
                helper.make_node("Max", [source, scaled], [target])]
    if kind not in ACTIVATION_OPS:
        raise InvalidArgument(f"Node {node.name!r} uses {spec!r}, which has no ONNX operator here; use "
                              f"{', '.join(ACTIVATION_OPS)}, sigmoid, leaky_relu, softplus or softmax outputs.")
    return [helper.make_node(ACTIVATION_OPS[kind], [source], [target])]


def from_onnx(path: Any) -> Any:
    """A :class:`nodenet.Network` from an ONNX file of :func:`to_onnx`, or of skl2onnx for an MLP.

    Any operator outside those files' own raises :class:`FormatError` naming it.
    """
    onnx = _onnx()
    check_path(path, "from_onnx")
    try:
        model = onnx.load(os.fspath(path))
    except (OSError, ValueError) as err:
        raise FormatError(f"{os.fspath(path)}: not an ONNX model: {err}") from err
    except Exception as err:  # protobuf's DecodeError and friends: not a model file
        raise FormatError(f"{os.fspath(path)}: not an ONNX model: {type(err).__name__}: {err}") from err
    tensors = {init.name: onnx.numpy_helper.to_array(init) for init in model.graph.initializer}
    properties = {prop.key: prop.value for prop in model.metadata_props}
    if MANIFEST_KEY in properties:
        for node in model.graph.node:
            if node.op_type not in OPERATORS:
                raise FormatError(f"{os.fspath(path)}: operator {node.op_type!r} (node {node.name or node.output[0]!r}) "
                                  f"is not one nodenet writes ({', '.join(sorted(OPERATORS))}).")
        try:
            manifest = json.loads(properties[MANIFEST_KEY])
        except (ValueError, RecursionError) as err:
            raise FormatError(f"{os.fspath(path)}: its nodenet manifest is not JSON: {err}.") from err
        net = network_from(manifest)
        Parameters(net).assign(parameter_values(manifest, net, tensors))
        return net
    return _from_chain(model, tensors, os.fspath(path))


def _from_chain(model: Any, tensors: dict[str, np.ndarray], where: str) -> Any:
    """skl2onnx's MLP: (Cast) then MatMul, Add and an activation per layer, then post-processing operators."""
    activations = {"Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softmax": "softmax", "Identity": "identity"}
    layers: list[list[Any]] = []  # [weights, biases, activation]
    finished = False
    for node in model.graph.node:
        op = node.op_type
        if finished:
            if op not in SKL2ONNX_AFTER:
                raise FormatError(f"{where}: operator {op!r} (node {node.name or node.output[0]!r}) is not supported.")
            continue
        if op == "Cast" and not layers:
            continue
        if op == "MatMul" and node.input[1] in tensors:
            layers.append([tensors[node.input[1]].astype(float), None, "identity"])
        elif op == "Add" and layers and layers[-1][1] is None and node.input[1] in tensors:
            layers[-1][1] = tensors[node.input[1]].astype(float).ravel()
        elif op in activations and layers and layers[-1][1] is not None and layers[-1][2] == "identity":
            layers[-1][2] = activations[op]
        elif layers and op in SKL2ONNX_AFTER:
            finished = True
        else:
            raise FormatError(f"{where}: operator {op!r} (node {node.name or node.output[0]!r}) is not supported; "
                              "nodenet reads its own files and skl2onnx's MatMul + Add MLPs.")
    if not layers or any(layer[1] is None for layer in layers):
        raise FormatError(f"{where}: no MatMul + Add layers found; nodenet reads its own files and skl2onnx's MLPs.")
    for number, (weights, biases, _) in enumerate(layers):
        fits_before = number == 0 or weights.ndim == 2 and weights.shape[0] == layers[number - 1][0].shape[-1]
        if weights.ndim != 2 or biases.shape != (weights.shape[1],) or not fits_before:
            raise FormatError(f"{where}: layer {number} has weights of shape {weights.shape} and biases of shape "
                              f"{biases.shape}, which do not chain; this is not an MLP nodenet can read.")
    widths = [layers[0][0].shape[0]] + [layer[0].shape[1] for layer in layers]
    net, nodes = layered_network(widths, [layer[2] for layer in layers])
    assign_layers(nodes, [layer[0] for layer in layers], [layer[1] for layer in layers])
    return net
