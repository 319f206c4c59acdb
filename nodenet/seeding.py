"""One place that turns a ``seed`` argument into a random number generator."""

from __future__ import annotations

from typing import Union

import numpy as np

from .errors import InvalidArgument

__all__ = ["Seed", "as_rng"]

Seed = Union[None, int, np.random.Generator, np.random.RandomState]


def as_rng(seed: Seed) -> Union[np.random.Generator, np.random.RandomState]:
    """Return a generator for ``seed``.

    An ``int`` gives numpy's legacy Mersenne Twister ``RandomState(seed)``,
    the generator behind ``np.random.seed``: ``seed=13`` therefore draws the
    very numbers of the chapter's code.  A ``Generator`` or ``RandomState`` is
    used as it is (and advanced); ``None`` gives a fresh, unseeded Generator.

    Examples
    --------
    >>> rng = as_rng(13)
    >>> round(float(rng.random()), 6)
    0.777702
    >>> as_rng("x")
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: seed must be None, an int >= 0 or a numpy Generator; got 'x'.
    """
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and 0 <= seed < 2**32:
        return np.random.RandomState(int(seed))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 2**32:
        raise InvalidArgument(
            f"An int seed must be below 2**32 (numpy's legacy generator takes 32 bits); got {seed!r}. "
            "Pass numpy.random.default_rng(seed) for larger seeds."
        )
    raise InvalidArgument(
        f"seed must be None, an int >= 0 or a numpy Generator; got {seed!r}."
    )
