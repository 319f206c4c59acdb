"""The levels of a compiled plan: nodes of one depth, computed with one matrix product.

A level is rows ``start:stop`` of the plan's signal arrays.  Its weight
matrix (members by sources) comes from the parameter store: a view when the
weights are one block of slots (a layer of ``from_layers``), a gather when
every member reads every source, and otherwise (skip connections, arbitrary
DAGs) the connections' weights written into a matrix of zeros the plan keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

import numpy as np

from ..activations import Activation
from .indices import distinct, runs, slot_index

if TYPE_CHECKING:
    from ..node import Node

__all__ = ["Level", "dag_levels", "layer_levels", "FLOAT64"]

FLOAT64 = np.dtype(np.float64)
_NO_SLOTS = np.zeros(0, dtype=np.intp)  # of a level whose weights are one block of the store


@dataclass
class Level:
    """One level of nodes (rows ``start:stop``) and how to gather its weights."""

    start: int
    stop: int
    sources: Union[slice, np.ndarray]
    biases: Union[slice, np.ndarray]  # the members' bias slots: a slice when consecutive (a view, no gather)
    slot_matrix: np.ndarray | None  # dense: slot of every (row, source) pair
    slots: np.ndarray  # sparse: slots of the existing connections ...
    positions: np.ndarray  # ... and their flat positions in the weight matrix
    shape: tuple[int, int]
    activations: list[tuple[Activation, int, int]]
    feeds_on_computed: bool  # some source is not an input node
    slot_block: slice | None  # dense with consecutive slots, row-major: the matrix is a view of the store
    first_to_sources: bool = False  # backward: a block of sources whose grad_post no output and no later level writes
    scattered: np.ndarray | None = None  # sparse: the weight matrix the plan keeps from pass to pass

    def weights(self, values: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """The level's weight matrix from the store's ``values``, in ``dtype``."""
        if self.scattered is not None:
            self.scattered.flat[self.positions] = values[self.slots]  # only the connections' entries change
            return self.scattered
        matrix = values[self.slot_block].reshape(self.shape) if self.slot_block is not None else values[self.slot_matrix]
        return matrix if dtype == FLOAT64 else matrix.astype(dtype)

    def store_grads(self, grads: np.ndarray, block: np.ndarray, sources: np.ndarray, n: int) -> None:
        """``dL/dλ = grad_pre · source.postᵀ / n`` for every weight of the level and ``dL/db``, into ``grads``.

        ``n`` is 1 when ``block`` holds the gradients over ``n`` already (a
        training step folds the batch mean into the outputs' gradient).
        """
        if self.slot_block is not None:
            view = grads[self.slot_block].reshape(self.shape)
            # one sample: an outer product, each entry one multiplication (as the matrix product's)
            (np.multiply if block.shape[1] == 1 else np.matmul)(block, sources.T, out=view)
            if n != 1:  # dividing by 1 changes nothing
                view /= n
        else:
            matrix = block @ sources.T
            if n != 1:
                matrix /= n
            if self.slot_matrix is not None:
                grads[self.slot_matrix] = matrix
            else:
                grads[self.slots] = matrix.flat[self.positions]
        if block.shape[1] == 1:
            grads[self.biases] = block[:, 0] / n if n != 1 else block[:, 0]
        elif isinstance(self.biases, slice) and n == 1:
            np.add.reduce(block, axis=1, out=grads[self.biases])
        else:
            grads[self.biases] = np.add.reduce(block, axis=1) / n


def layer_levels(layers: list[list[Node]], first_slot: int, biases: list[int]) -> list[Level]:
    """The levels of fully connected ``layers`` whose weights fill consecutive slots from ``first_slot``.

    Slots run target by target (how :meth:`Network.from_layers <nodenet.Network.from_layers>`
    allocates them), ``biases`` holds the bias slots of ``layers[1:]``'s nodes in order, and each
    layer has one activation: every level's weights are a view of the store.
    """
    levels = []
    start, slot, previous = len(layers[0]), first_slot, slice(0, len(layers[0]))
    for layer in layers[1:]:
        stop = start + len(layer)
        size = len(layer) * (previous.stop - previous.start)
        levels.append(Level(
            start, stop, previous, slot_index(biases[start - len(layers[0]) : stop - len(layers[0])]), None,
            _NO_SLOTS, _NO_SLOTS, (len(layer), size // len(layer)),  # the block replaces slots and positions
            [(layer[0].activation_function, start, stop)], previous.start > 0, slice(slot, slot + size),
        ))
        start, slot, previous = stop, slot + size, slice(start, stop)
    return levels


def dag_levels(
    nodes: list[Node], inputs: int, sizes: list[int], slots: np.ndarray, sources: np.ndarray, counts: np.ndarray,
    kind: dict[Node, tuple],
) -> list[Level]:
    """The levels of any DAG: ``nodes[inputs:]`` in plan order, ``sizes[i]`` of them in level ``i``.

    ``slots`` and ``sources`` hold the store slot and the source row of each
    incoming connection of those nodes, node after node (``counts`` per
    node); ``kind`` tells equal activations apart.  Each level's distinct
    sources and each connection's place in its level's matrix are found for
    all levels at once.

    >>> import nodenet
    >>> net = nodenet.Network(); a, b = net.add_input("a"), net.add_input("b")
    >>> h, o = net.add_node("h"), net.add_output("o")
    >>> for source, target in [(a, h), (b, o), (h, o)]: _ = net.connect(source, target)
    >>> kind = {h: "sigmoid", o: "identity"}
    >>> first, second = dag_levels([a, b, h, o], 2, [1, 1], np.array([4, 6, 5]), np.array([0, 1, 2]), np.array([1, 2]), kind)
    >>> first.sources, first.shape, second.sources, second.shape, second.slot_matrix.tolist()
    (slice(0, 1, None), (1, 1), slice(1, 3, None), (1, 2), [[6, 5]])
    """
    level_of_node = np.repeat(np.arange(len(sizes), dtype=np.intp), sizes)
    level_of_edge = np.repeat(level_of_node, counts)
    first_node = np.concatenate(([0], np.cumsum(sizes))).astype(np.intp)  # per level, among the computed nodes
    first_edge = np.concatenate(([0], np.cumsum(counts))).astype(np.intp)[first_node]  # ... among the connections
    keys = level_of_edge * len(nodes) + sources  # (level, source row): once sorted, each level's sources are a stretch
    unique = distinct(keys)
    first_source = np.searchsorted(unique, np.arange(len(sizes) + 1, dtype=np.intp) * len(nodes))
    columns = np.searchsorted(unique, keys) - first_source[level_of_edge]
    member = np.arange(level_of_node.size) - first_node[level_of_node]  # a node's row in its level's matrix
    positions = np.repeat(member * np.diff(first_source)[level_of_node], counts) + columns
    source_rows = unique % len(nodes)
    levels = []
    node_at, edge_at, source_at = first_node.tolist(), first_edge.tolist(), first_source.tolist()
    for number, size in enumerate(sizes):
        start, begin, end = inputs + node_at[number], edge_at[number], edge_at[number + 1]
        rows = source_rows[source_at[number]:source_at[number + 1]]
        shape = (size, rows.size)
        slot_matrix = None
        if end - begin == shape[0] * shape[1]:  # every member reads every source: the matrix is a gather
            slot_matrix = np.empty(shape, dtype=np.intp)
            slot_matrix.flat[positions[begin:end]] = slots[begin:end]
        row_list = rows.tolist()
        contiguous = bool(row_list) and row_list[-1] - row_list[0] + 1 == len(row_list)
        members = nodes[start:start + size]
        activations: list[tuple[Activation, int, int]] = []
        for offset, node in enumerate(members, start=start):
            if activations and kind[node] == kind[nodes[offset - 1]]:
                activations[-1] = (activations[-1][0], activations[-1][1], offset + 1)
            else:
                activations.append((node.activation_function, offset, offset + 1))
        blocks = runs(slot_matrix.ravel()) if slot_matrix is not None else []
        levels.append(Level(
            start, start + size, slice(row_list[0], row_list[-1] + 1) if contiguous else rows,
            slot_index([node.slot for node in members]), slot_matrix, slots[begin:end], positions[begin:end], shape,
            activations, bool(row_list) and row_list[-1] >= inputs, blocks[0] if len(blocks) == 1 else None,
        ))
    return levels
