"""Helpers shared by the hardening tests: a network's saved form, to compare before and after a refused call."""

import json

import nodenet
from nodenet.io import to_dict


def saved(net):
    """The network as its file would be: structure, activations, every weight and bias (exact floats)."""
    return json.dumps(to_dict(net), sort_keys=True)


def chapter(computed=False):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    if computed:
        net.forward([0.5, 0.2, 0.7])
        net.backward([0.3])
    return net
