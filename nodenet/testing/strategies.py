"""Hypothesis strategies for random feed-forward networks and their data.

Examples
--------
>>> from hypothesis import given, settings
>>> from nodenet.testing import networks, inputs_for
>>> @settings(max_examples=5)
... @given(networks(max_hidden=3))
... def test_forward_shape(net):
...     assert net.forward([0.0] * len(net.inputs)).shape == (len(net.outputs),)
>>> test_forward_shape()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

import numpy as np
from hypothesis import strategies as st

from ..activations import ACTIVATIONS
from ..errors import InvalidArgument
from ..factory import create_network

if TYPE_CHECKING:
    from ..structure import NetworkStructure as Network

__all__ = ["networks", "inputs_for", "targets_for", "problems", "Problem", "ALL_ELEMENTWISE", "SMOOTH"]

ELEMENTWISE = tuple(name for name, cls in ACTIVATIONS.items() if not cls.is_group)
ALL_ELEMENTWISE = ELEMENTWISE  # every element-wise activation, kinks included
SMOOTH = ("sigmoid", "tanh", "identity", "softplus")  # differentiable everywhere: for finite differences


def _check_range(name: str, low: int, high: int, floor: int) -> None:
    if not (isinstance(low, int) and isinstance(high, int) and floor <= low <= high):
        raise InvalidArgument(f"{name}: need integers with {floor} <= min <= max; got min={low!r}, max={high!r}.")


def _check_names(option: str, names: Sequence[str]) -> tuple[str, ...]:
    names = tuple(names)
    unknown = [name for name in names if name not in ELEMENTWISE]
    if not names or unknown:
        raise InvalidArgument(
            f"{option} must be a non-empty list of element-wise activations from {', '.join(ELEMENTWISE)}; "
            f"got {list(names)!r}."
        )
    return names


def networks(
    *,
    min_inputs: int = 1,
    max_inputs: int = 3,
    min_hidden: int = 0,
    max_hidden: int = 4,
    min_outputs: int | None = None,
    max_outputs: int = 2,
    activations: Sequence[str] = SMOOTH,
    output_activations: Sequence[str] = ("identity", "sigmoid", "tanh"),
    softmax: bool = False,
    max_weight: float = 2.0,
) -> st.SearchStrategy[Network]:
    """Random DAGs: skip connections, several outputs, outputs feeding other nodes.

    Non-input nodes get a random order; each one draws at least one incoming
    connection from the nodes before it (inputs, hidden nodes and earlier
    outputs), so any DAG shape can appear.  With ``softmax=True`` the outputs
    form one softmax group (at least two outputs, feeding nothing);
    ``min_outputs`` defaults to 2 then, and to 1 otherwise.  Options
    are keyword-only and validated when the strategy is built.  The default
    activations are smooth; ``relu`` and ``leaky_relu`` must be asked for,
    since finite differences are wrong at their kink (``pre == 0``), which
    hypothesis readily finds.

    Examples
    --------
    >>> networks(min_inputs=0)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: inputs: need integers with 1 <= min <= max; got min=0, max=3.
    """
    _check_range("inputs", min_inputs, max_inputs, 1)
    _check_range("hidden", min_hidden, max_hidden, 0)
    if min_outputs is None:
        min_outputs = 2 if softmax else 1
    _check_range("outputs", min_outputs, max_outputs, 2 if softmax else 1)
    hidden_names = _check_names("activations", activations)
    output_names = _check_names("output_activations", output_activations)
    if not (isinstance(max_weight, (int, float)) and 0 < max_weight < 1e6):
        raise InvalidArgument(f"max_weight must be a positive number below 1e6; got {max_weight!r}.")
    weight = st.floats(-max_weight, max_weight, allow_nan=False, allow_infinity=False)

    @st.composite
    def build(draw: Any) -> Network:
        p = draw(st.integers(min_inputs, max_inputs))
        h = draw(st.integers(min_hidden, max_hidden))
        k = draw(st.integers(min_outputs, max_outputs))
        kinds = draw(st.permutations(["hidden"] * h + ["output"] * k))
        if softmax:  # softmax outputs end the network: put them last
            kinds = ["hidden"] * h + ["output"] * k
        net = create_network()
        for number in range(1, p + 1):
            net.add_input(f"I{number}")
        earlier = [node.name for node in net.inputs]
        for number, kind in enumerate(kinds, start=p + 1):
            bias = draw(weight)
            if kind == "hidden":
                node = net.add_node(f"H{number}", activation=draw(st.sampled_from(hidden_names)), bias=bias)
            else:
                act = "softmax" if softmax else draw(st.sampled_from(output_names))
                node = net.add_output(f"O{number}", activation=act, bias=bias)
            candidates = [name for name in earlier if not (softmax and name.startswith("O"))]
            sources = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=len(candidates), unique=True))
            for source in sources:
                net.connect(source, node.name, weight=draw(weight))
            earlier.append(node.name)
        return net

    return build()


def _batch_shape(batch: int | None, width: int) -> tuple[int, ...]:
    if batch is not None and not (isinstance(batch, int) and batch >= 1):
        raise InvalidArgument(f"batch must be None or an int >= 1; got {batch!r}.")
    return (width,) if batch is None else (batch, width)


def inputs_for(
    net: Network, *, batch: int | None = None, max_value: float = 2.0
) -> st.SearchStrategy[np.ndarray]:
    """Finite input arrays for ``net``: shape (p,) or (batch, p).

    >>> from hypothesis import given, settings
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 1], seed=0)
    >>> inputs_for(net, batch=4).example().shape
    (4, 3)
    """
    from hypothesis.extra.numpy import arrays

    shape = _batch_shape(batch, len(net.inputs))
    elements = st.floats(-max_value, max_value, allow_nan=False, allow_infinity=False)
    return arrays(float, shape, elements=elements)


def targets_for(
    net: Network, *, batch: int | None = None, one_hot: bool = False, max_value: float = 2.0
) -> st.SearchStrategy[np.ndarray]:
    """Target arrays for ``net``: shape (k,) or (batch, k); ``one_hot`` rows for softmax.

    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 3], output="softmax", seed=0)
    >>> targets_for(net, batch=2, one_hot=True).example().sum(axis=1).tolist()
    [1.0, 1.0]
    """
    from hypothesis.extra.numpy import arrays

    k = len(net.outputs)
    shape = _batch_shape(batch, k)
    if one_hot:
        rows = st.lists(st.integers(0, k - 1), min_size=batch or 1, max_size=batch or 1)
        eye = np.eye(k)
        return rows.map(lambda idx: eye[idx] if batch is not None else eye[idx[0]])
    elements = st.floats(-max_value, max_value, allow_nan=False, allow_infinity=False)
    return arrays(float, shape, elements=elements)


class Problem(NamedTuple):
    """A network with inputs, targets and the loss to compare paths on."""

    net: Any
    x: np.ndarray
    y: np.ndarray
    loss: str


def problems(
    *,
    softmax: bool | None = None,
    batch: int | None | str = "any",
    max_hidden: int = 6,
    max_outputs: int = 3,
    activations: Sequence[str] = ALL_ELEMENTWISE,
) -> st.SearchStrategy[Problem]:
    """Random :class:`Problem` s: a DAG of :func:`networks`, matching data and the loss that fits it.

    ``softmax=None`` draws networks with and without a softmax group (which
    get one-hot targets and cross-entropy; the others the L2 loss);
    ``batch="any"`` draws one sample (``None``) or a batch of 1 to 6 rows.
    Every element-wise activation is drawn by default, kinks included: for
    comparing paths, not for finite differences.

    >>> problems(batch=0)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: batch must be None, "any" or an int >= 1; got 0.
    """
    if batch != "any" and batch is not None and not (isinstance(batch, int) and batch >= 1):
        raise InvalidArgument(f'batch must be None, "any" or an int >= 1; got {batch!r}.')
    if softmax not in (None, True, False):
        raise InvalidArgument(f"softmax must be None, True or False; got {softmax!r}.")
    _check_names("activations", activations)

    @st.composite
    def build(draw: Any) -> Problem:
        grouped = draw(st.booleans()) if softmax is None else softmax
        net = draw(networks(max_hidden=max_hidden, max_outputs=max_outputs, softmax=grouped, activations=activations))
        rows = draw(st.one_of(st.none(), st.integers(1, 6))) if batch == "any" else batch
        x = draw(inputs_for(net, batch=rows))  # type: ignore[arg-type]
        y = draw(targets_for(net, batch=rows, one_hot=grouped))  # type: ignore[arg-type]
        return Problem(net, x, y, "cross_entropy" if grouped else "l2")

    return build()
