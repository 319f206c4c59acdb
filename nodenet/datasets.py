"""Toy data sets with the classic learning shapes, seeded: same seed, same rows.

Classification (two inputs, integer labels ``0, 1, ...``): :func:`xor`,
:func:`circles`, :func:`spiral`, :func:`gaussians`.  Regression:
:func:`sine` (one input) and :func:`plane` (two inputs).  :func:`chapter`
is the textbook's one sample.  Each returns ``(X, y)``: ``X`` of shape
``(n, p)`` and ``y`` of shape ``(n,)``; ``as_frame=True`` gives a pandas
DataFrame (columns ``x1``, ``x2``) and a Series ``y`` instead.  Labels go to
:class:`nodenet.sklearn.NodenetClassifier` as they are, or to
:meth:`nodenet.Network.fit` through :func:`nodenet.one_hot`.
``docs/datasets.md`` shows each one.

Examples
--------
>>> from nodenet import datasets
>>> X, y = datasets.circles(100, seed=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((100, 2), (100,), [0, 1])
>>> bool((datasets.circles(100, seed=0)[0] == X).all())
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_int, check_number
from .errors import InvalidArgument, MissingDependency, install_hint
from .seeding import Seed, as_rng

__all__ = ["xor", "circles", "spiral", "gaussians", "sine", "plane", "chapter"]


def _generator(seed: Seed) -> np.random.Generator:
    """A numpy Generator for ``seed`` (checked as everywhere in nodenet; an int seeds it directly)."""
    rng = as_rng(seed)
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(int(seed) if isinstance(seed, (int, np.integer)) else rng.randint(2**32))


def _check(n: Any, noise: Any, minimum: int = 1) -> tuple[int, float]:
    n = check_int(n, "n (the number of rows)", minimum=minimum)
    noise = check_number(noise, "noise")
    if noise < 0:
        raise InvalidArgument(f"noise must be >= 0 (the standard deviation of the added noise); got {noise!r}.")
    return n, noise


def _result(X: np.ndarray, y: np.ndarray, as_frame: Any) -> Any:
    if not isinstance(as_frame, bool):
        raise InvalidArgument(f"as_frame must be True or False; got {as_frame!r}.")
    if not as_frame:
        return X, y
    try:
        import pandas as pd
    except ImportError as err:
        raise MissingDependency(f"as_frame=True needs pandas, the optional 'pandas' extra: {install_hint('pandas')}.") from err
    return pd.DataFrame(X, columns=[f"x{i + 1}" for i in range(X.shape[1])]), pd.Series(y, name="y")


def xor(n: int = 200, *, noise: float = 0.1, seed: Seed = None, as_frame: bool = False) -> Any:
    """Four clusters at the corners of the square; label 1 where exactly one coordinate is positive.

    >>> X, y = xor(50, noise=0.0, seed=0)
    >>> bool((y == ((X[:, 0] > 0) != (X[:, 1] > 0))).all()), sorted(set(y.tolist()))
    (True, [0, 1])
    """
    n, noise = _check(n, noise)
    rng = _generator(seed)
    corners = rng.integers(0, 4, n)
    signs = np.array([[1, -1], [-1, -1], [-1, 1], [1, 1]], dtype=float)[corners]
    X = signs * rng.uniform(0.2, 1.0, (n, 2)) + rng.normal(0, noise, (n, 2))
    return _result(X, (np.sign(signs[:, 0]) != np.sign(signs[:, 1])).astype(int), as_frame)


def circles(n: int = 200, *, noise: float = 0.05, factor: float = 0.5, seed: Seed = None, as_frame: bool = False) -> Any:
    """Two rings: label 0 on the unit circle, 1 on the inner circle of radius ``factor`` (0 < factor < 1)."""
    n, noise = _check(n, noise)
    factor = check_number(factor, "factor")
    if not 0 < factor < 1:
        raise InvalidArgument(f"factor (the inner ring's radius) must be between 0 and 1; got {factor!r}.")
    rng = _generator(seed)
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 1, factor, 1.0)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) + rng.normal(0, noise, (n, 2))
    return _result(X, y, as_frame)


def spiral(n: int = 300, *, classes: int = 2, noise: float = 0.05, turns: float = 1.5, seed: Seed = None, as_frame: bool = False) -> Any:
    """``classes`` interleaved arms of a spiral, each turning ``turns`` times around the origin."""
    n, noise = _check(n, noise)
    classes = check_int(classes, "classes", minimum=2)
    turns = check_number(turns, "turns")
    if turns <= 0:
        raise InvalidArgument(f"turns must be > 0; got {turns!r}.")
    rng = _generator(seed)
    y = rng.integers(0, classes, n)
    t = rng.uniform(0.05, 1.0, n)
    angle = 2 * np.pi * (turns * t + y / classes)
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)]) + rng.normal(0, noise, (n, 2))
    return _result(X, y, as_frame)


def gaussians(n: int = 200, *, classes: int = 2, spread: float = 0.5, seed: Seed = None, as_frame: bool = False) -> Any:
    """``classes`` round Gaussian clusters on the unit circle, each of standard deviation ``spread``."""
    n, spread = _check(n, spread)
    classes = check_int(classes, "classes", minimum=2)
    rng = _generator(seed)
    y = rng.integers(0, classes, n)
    angle = 2 * np.pi * y / classes
    X = np.column_stack([np.cos(angle), np.sin(angle)]) + rng.normal(0, spread, (n, 2))
    return _result(X, y, as_frame)


def sine(n: int = 100, *, noise: float = 0.05, seed: Seed = None, as_frame: bool = False) -> Any:
    """One input in [-1, 1] and ``y = sin(π x)`` plus noise: a curve a hidden layer must bend to."""
    n, noise = _check(n, noise)
    rng = _generator(seed)
    x = rng.uniform(-1, 1, n)
    return _result(x[:, None], np.sin(np.pi * x) + rng.normal(0, noise, n), as_frame)


def plane(n: int = 200, *, noise: float = 0.05, seed: Seed = None, as_frame: bool = False) -> Any:
    """Two inputs in [-1, 1] and ``y = 0.6 x1 − 0.3 x2 + 0.1`` plus noise: what a single linear node can fit."""
    n, noise = _check(n, noise)
    rng = _generator(seed)
    X = rng.uniform(-1, 1, (n, 2))
    return _result(X, 0.6 * X[:, 0] - 0.3 * X[:, 1] + 0.1 + rng.normal(0, noise, n), as_frame)


def chapter(*, as_frame: bool = False) -> Any:
    """The textbook's one sample: inputs (0.5, 0.2, 0.7) and target 0.3, as one row.

    >>> X, y = chapter()
    >>> X.tolist(), y.tolist()
    ([[0.5, 0.2, 0.7]], [0.3])
    """
    return _result(np.array([[0.5, 0.2, 0.7]]), np.array([0.3]), as_frame)
