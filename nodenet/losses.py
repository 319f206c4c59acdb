"""Loss functions: the value per sample and its derivative at the outputs.

``post`` and ``target`` are arrays of shape ``(k,)`` for one sample or
``(n, k)`` for a batch (k outputs).  :meth:`Loss.value` returns the loss of
each sample (a float, or shape ``(n,)``); :meth:`Loss.grad` returns
``dL/dpost`` of each sample, with the shape of ``post``.  The network
averages the values over the batch.

Examples
--------
>>> import numpy as np
>>> l2 = get_loss("l2")
>>> float(l2.value(np.array([0.5]), np.array([0.3]))), l2.grad(np.array([0.5]), np.array([0.3]))
(0.02, array([0.2]))
"""

from __future__ import annotations

from typing import Union

import numpy as np

from .errors import InvalidArgument

__all__ = ["Loss", "L2", "CrossEntropy", "LOSSES", "batch_mean", "get_loss"]

# The smallest positive normal float: keeps log() and division finite.
_TINY = np.finfo(float).tiny


class Loss:
    """Base class: subclasses set :attr:`name`, :meth:`value` and :meth:`grad`."""

    name: str = ""

    def value(self, post: np.ndarray, target: np.ndarray) -> Union[float, np.ndarray]:
        """The loss of each sample."""
        raise NotImplementedError

    def grad(self, post: np.ndarray, target: np.ndarray) -> np.ndarray:
        """``dL/dpost`` for each sample and output."""
        raise NotImplementedError

    def mean(self, post: np.ndarray, target: np.ndarray) -> float:
        """The loss of one sample, or its mean over a batch, as a float.

        >>> import numpy as np
        >>> get_loss("l2").mean(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]))
        2.5
        """
        values = self.value(post, target)
        return batch_mean(values) if isinstance(values, np.ndarray) and values.ndim else float(values)

    def mean_and_grad(self, post: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        """:meth:`mean` and :meth:`grad` of a batch ``(n, k)`` at once (a compiled plan's training step).

        >>> import numpy as np
        >>> get_loss("l2").mean_and_grad(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]))
        (2.5, array([[1.],
               [3.]]))
        """
        return self.mean(post, target), self.grad(post, target)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class L2(Loss):
    """The chapter's ``L = 1/2 * sum_k (post_k - y_k)**2``; gradient ``post - y``."""

    name = "l2"

    def value(self, post: np.ndarray, target: np.ndarray) -> Union[float, np.ndarray]:
        diff = post - target
        # one sample: a dot product; a batch: one per row (einsum, fast for a few outputs too)
        return 0.5 * (diff @ diff if diff.ndim == 1 else np.einsum("ij,ij->i", diff, diff))

    def grad(self, post: np.ndarray, target: np.ndarray) -> np.ndarray:
        return post - target

    def mean_and_grad(self, post: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        changed = type(self) is not L2 and any(getattr(type(self), name) is not getattr(L2, name) for name in ("value", "grad", "mean"))
        if changed or post.shape[0] == 1:  # a subclass's own formulas; one row: mean's very sum
            return super().mean_and_grad(post, target)
        diff = post - target  # the gradient; the loss is half its squared length, over n
        return 0.5 * float(np.vdot(diff, diff)) / diff.shape[0], diff


class CrossEntropy(Loss):
    """``L = -sum_k y_k * log(post_k)`` for probabilities ``post``.

    ``post`` is clipped at the smallest positive float, so there is never a
    ``log(0)``.  Paired with softmax outputs, the gradient at the softmax
    inputs is ``post - y`` (for targets that sum to one).

    >>> import numpy as np
    >>> float(CrossEntropy().value(np.array([0.0, 1.0]), np.array([0.0, 1.0])))
    0.0
    """

    name = "cross_entropy"

    def value(self, post: np.ndarray, target: np.ndarray) -> Union[float, np.ndarray]:
        _check_probabilities(post)
        return -np.einsum("...k,...k->...", target, np.log(np.maximum(post, _tiny(post))))

    def grad(self, post: np.ndarray, target: np.ndarray) -> np.ndarray:
        _check_probabilities(post)
        return -target / np.maximum(post, _tiny(post))


def _tiny(post: np.ndarray) -> float:
    """The clip of probabilities: the smallest normal float of ``post``'s precision (float32 on a float32 plan).

    In float32, ``1 / tiny(float64)`` would overflow to inf, and the softmax gradient become NaN.
    """
    return float(np.finfo(np.float32).tiny) if getattr(post, "dtype", None) == np.float32 else _TINY


def _check_probabilities(post: np.ndarray) -> None:
    if post.size and (post.min() < 0.0 or post.max() > 1.0):
        bad = float(post.min()) if post.min() < 0.0 else float(post.max())
        raise InvalidArgument(
            f"cross_entropy needs probabilities in [0, 1] at the outputs; got {bad!r}. "
            "Use softmax (or sigmoid) output nodes, or the l2 loss."
        )


def batch_mean(values: np.ndarray) -> float:
    """The mean of a batch's per-sample values as a float.

    It is the reduction ``ndarray.mean`` does, without its Python wrapper:
    backpropagation takes one per parameter and per step.

    >>> batch_mean(np.array([1.0, 2.0, 4.0]))
    2.3333333333333335
    """
    return float(np.add.reduce(values)) / values.shape[0]


LOSSES: dict[str, type[Loss]] = {cls.name: cls for cls in (L2, CrossEntropy)}


def get_loss(spec: Union[str, Loss]) -> Loss:
    """Return the loss for a name (``"l2"``, ``"cross_entropy"``) or an instance.

    >>> get_loss("cross_entropy")
    CrossEntropy()
    """
    if isinstance(spec, Loss):
        return spec
    if not isinstance(spec, str) or spec not in LOSSES:
        raise InvalidArgument(f"Unknown loss {spec!r}; choose one of {', '.join(sorted(LOSSES))}.")
    return LOSSES[spec]()
