"""How the modules below :class:`nodenet.Network` build and recognise networks.

Loading a file or drawing a random network must give users a
:class:`nodenet.Network`, a class built on top of those modules; they call
:func:`create_network`, and ``nodenet.network`` registers the class once.

Examples
--------
>>> import nodenet
>>> type(create_network()) is nodenet.Network
True
"""

from __future__ import annotations

import os
from typing import Any

from .errors import ArgumentTypeError
from .structure import NetworkStructure

__all__ = ["check_network", "create_network", "register_network_class"]

_network_class: list[type] = []  # the class users get from create_network (nodenet.Network)


def check_network(net: Any, what: str) -> NetworkStructure:
    """``net`` if it is a network, else an :class:`~nodenet.errors.ArgumentTypeError` naming ``what``.

    >>> check_network("net.json", "to_dot")
    Traceback (most recent call last):
    ...
    nodenet.errors.ArgumentTypeError: to_dot needs a nodenet.Network as its first argument; got str 'net.json' ...
    """
    if not isinstance(net, NetworkStructure):
        hint = " (load a saved model with nodenet.load(path) first)" if isinstance(net, (str, os.PathLike)) else ""
        raise ArgumentTypeError(
            f"{what} needs a nodenet.Network as its first argument; got {type(net).__name__} {net!r:.60}{hint}."
        )
    return net


def register_network_class(cls: type) -> None:
    """Make ``cls`` (a subclass of :class:`NetworkStructure`) the class that :func:`create_network` builds."""
    _network_class[:] = [cls]


def create_network() -> Any:
    """An empty network of the class users work with (:class:`nodenet.Network`).

    Modules that build networks (loading a file, drawing a random one) call
    this, so that they need not import the class that is built on them.

    >>> type(create_network()).__name__
    'Network'
    """
    return (_network_class[0] if _network_class else NetworkStructure)()
