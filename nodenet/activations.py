"""Activation functions and their derivatives.

An activation turns a node's pre-activation signal ``pre`` into its output
``post``.  Each one works on a Python ``float`` (one sample) and on a numpy
array (a batch), and gives its derivative as a function of both ``pre`` and
``post``, so that the sigmoid can use the chapter's form ``(1 - post) * post``.

``softmax`` is a *group* activation: it couples all the output nodes that use
it, so it has :meth:`Softmax.group_value` and :meth:`Softmax.group_grad_pre`
instead of the element-wise pair.

Examples
--------
>>> from nodenet.activations import get_activation
>>> sig = get_activation("sigmoid")
>>> round(sig.value(0.0), 3), round(sig.derivative(0.0, 0.5), 3)
(0.5, 0.25)
>>> sorted(ACTIVATIONS)
['identity', 'leaky_relu', 'relu', 'sigmoid', 'softmax', 'softplus', 'tanh']
"""

from __future__ import annotations

import math
from typing import Any, Sequence, Union

import numpy as np

from .checks import check_range
from .errors import ArgumentTypeError, InvalidArgument, ReadOnlyAttribute

Signal = Union[float, np.ndarray]

__all__ = [
    "Activation",
    "Identity",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "Softplus",
    "Softmax",
    "ACTIVATIONS",
    "get_activation",
    "register_activation",
]


class Activation:
    """Base class of element-wise activations.

    Activations are immutable: several nodes and a compiled plan may share
    one, so options are fixed when it is made.  Subclasses set :attr:`name` and implement :meth:`value` and
    :meth:`derivative`; both must accept a ``float`` and return a ``float``,
    and accept an array and return an array of the same shape.  Batch passes
    call :meth:`value_into` and :meth:`grad_pre_into`, which write into
    arrays the pass owns; a subclass may override them to skip temporaries.
    """

    name: str = ""
    is_group: bool = False

    def value(self, pre: Signal) -> Signal:
        """The output signal ``post = alpha(pre)``."""
        raise NotImplementedError

    def derivative(self, pre: Signal, post: Signal) -> Signal:
        """``d post / d pre`` at this point, given both signals."""
        raise NotImplementedError

    def value_into(self, pre: np.ndarray, out: np.ndarray) -> np.ndarray:
        """:meth:`value` of an array, written into ``out`` (same shape); returns ``out``.

        >>> import numpy as np
        >>> out = np.empty(2); get_activation("tanh").value_into(np.zeros(2), out) is out
        True
        """
        out[...] = self.value(pre)
        return out

    def grad_pre_into(self, pre: np.ndarray, post: np.ndarray, grad_post: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``derivative(pre, post) * grad_post``, written into ``out``; returns ``out``.

        >>> import numpy as np
        >>> get_activation("tanh").grad_pre_into(np.zeros(1), np.zeros(1), np.full(1, 2.0), np.empty(1)).tolist()
        [2.0]
        """
        return np.multiply(self.derivative(pre, post), grad_post, out=out)

    def group_value(self, pres: Sequence[Signal]) -> list:
        """Outputs of a whole group (group activations such as softmax only)."""
        raise NotImplementedError(f"{self.name} is an element-wise activation; use value().")

    def group_grad_pre(self, posts: Sequence[Signal], grad_posts: Sequence[Signal]) -> list:
        """``dL/dpre`` of a whole group (group activations such as softmax only)."""
        raise NotImplementedError(f"{self.name} is an element-wise activation; use derivative().")

    def to_spec(self) -> Any:
        """A JSON-able description: the name, or a dict with the options."""
        return self.name

    def describes_itself(self) -> bool:
        """Whether :meth:`to_spec` tells this activation apart from every other one.

        True for the built-in ones, for a subclass that overrides
        :meth:`to_spec`, and for instances without attributes of their own;
        a subclass whose instances differ only in attributes it does not put
        in its spec (a ``scale``, say) is compared by identity, and cannot be
        saved.
        """
        return type(self).to_spec is not Activation.to_spec or not vars(self)

    def key(self) -> tuple:
        """What equal activations share: their class and spec, or the object itself (see :meth:`describes_itself`)."""
        if self.describes_itself():
            return (type(self), repr(self.to_spec()))
        return (type(self), id(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and other.key() == self.key()

    def __hash__(self) -> int:
        return hash(self.key())


class Identity(Activation):
    """``post = pre``; the chapter's output activation for regression."""

    name = "identity"

    def value(self, pre: Signal) -> Signal:
        return pre

    def derivative(self, pre: Signal, post: Signal) -> Signal:
        return np.ones_like(pre) if isinstance(pre, np.ndarray) else 1.0

    def grad_pre_into(self, pre: np.ndarray, post: np.ndarray, grad_post: np.ndarray, out: np.ndarray) -> np.ndarray:
        if _changed(self, Identity, "derivative"):
            return super().grad_pre_into(pre, post, grad_post, out)
        out[...] = grad_post  # 1 * grad_post, without the array of ones
        return out


def _changed(activation: Activation, cls: type, method: str) -> bool:
    """Whether a subclass of ``cls`` redefines ``method``: then ``cls``'s in-place shortcut for it does not apply."""
    return getattr(type(activation), method) is not getattr(cls, method)


def _sigmoid_array(pre: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # exp(-pre) overflows to inf for pre < -709.78, and 1 / (1 + inf) is the right 0.0
    if out is None:
        out = np.empty_like(pre, dtype=float)
    np.negative(pre, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.divide(1.0, out, out=out)  # np.reciprocal takes twice as long on float64


class Sigmoid(Activation):
    """The logistic function ``1 / (1 + exp(-pre))``, stable for any ``pre``.

    Its derivative is written through the output, ``(1 - post) * post``.

    >>> Sigmoid().value(-1000.0), Sigmoid().value(1000.0)
    (0.0, 1.0)
    """

    name = "sigmoid"

    def value(self, pre: Signal) -> Signal:
        if type(pre) is float:
            if pre >= 0.0:
                return 1.0 / (1.0 + math.exp(-pre))
            small = math.exp(pre)
            return small / (1.0 + small)
        return _sigmoid_array(np.asarray(pre))

    def derivative(self, pre: Signal, post: Signal) -> Signal:
        return (1.0 - post) * post

    def value_into(self, pre: np.ndarray, out: np.ndarray) -> np.ndarray:
        if _changed(self, Sigmoid, "value"):
            return super().value_into(pre, out)
        return _sigmoid_array(pre, out)

    def grad_pre_into(self, pre: np.ndarray, post: np.ndarray, grad_post: np.ndarray, out: np.ndarray) -> np.ndarray:
        if _changed(self, Sigmoid, "derivative"):
            return super().grad_pre_into(pre, post, grad_post, out)
        np.subtract(1.0, post, out=out)  # the operations of derivative(...) * grad_post, in order
        out *= post
        out *= grad_post
        return out


class Tanh(Activation):
    """The hyperbolic tangent; derivative ``1 - post**2``."""

    name = "tanh"

    def value(self, pre: Signal) -> Signal:
        return math.tanh(pre) if type(pre) is float else np.tanh(pre)

    def derivative(self, pre: Signal, post: Signal) -> Signal:
        return 1.0 - post * post


class ReLU(Activation):
    """``max(pre, 0)``; its derivative at 0 is taken as 0."""

    name = "relu"

    def value(self, pre: Signal) -> Signal:
        if type(pre) is float:
            return pre if pre > 0.0 else 0.0
        return np.maximum(pre, 0.0)

    def derivative(self, pre: Signal, post: Signal) -> Signal:
        if type(pre) is float:
            return 1.0 if pre > 0.0 else 0.0
        return np.greater(pre, 0.0).astype(float)


class LeakyReLU(Activation):
    """``pre`` for positive ``pre``, ``slope * pre`` otherwise.

    >>> LeakyReLU(slope=0.1).value(-2.0)
    -0.2
    """

    name = "leaky_relu"

    def __init__(self, *, slope: float = 0.01) -> None:
        self._slope = check_range(slope, "leaky_relu slope", 0.0, 1.0, high_open=True)

    @property
    def slope(self) -> float:
        """The slope for negative ``pre``; fixed (set a new activation to change it)."""
        return self._slope

    @slope.setter
    def slope(self, value: float) -> None:
        raise ReadOnlyAttribute(
            f"An activation's options are fixed (nodes and compiled plans share it); to change the slope, "
            f"set node.activation = LeakyReLU(slope={value!r})."
        )

    def value(self, pre: Signal) -> Signal:
        if type(pre) is float:
            return pre if pre > 0.0 else self.slope * pre
        return np.where(pre > 0.0, pre, self.slope * pre)

    def derivative(self, pre: Signal, post: Signal) -> Signal:
        if type(pre) is float:
            return 1.0 if pre > 0.0 else self.slope
        return np.where(pre > 0.0, 1.0, self.slope)

    def to_spec(self) -> Any:
        return self.name if self.slope == 0.01 else {"name": self.name, "slope": self.slope}

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope!r})"


class Softplus(Activation):
    """``log(1 + exp(pre))``, computed without overflow; derivative sigmoid(pre)."""

    name = "softplus"

    def value(self, pre: Signal) -> Signal:
        if type(pre) is float:
            return max(pre, 0.0) + math.log1p(math.exp(-abs(pre)))
        return np.maximum(pre, 0.0) + np.log1p(np.exp(-np.abs(pre)))

    def derivative(self, pre: Signal, post: Signal) -> Signal:
        return Sigmoid().value(pre)


class Softmax(Activation):
    """Softmax over the group of output nodes that use it.

    ``post_i = exp(pre_i) / sum_j exp(pre_j)``, shifted by the maximum so it
    never overflows.  The Jacobian-vector product gives
    ``grad_pre_i = post_i * (grad_post_i - sum_j grad_post_j * post_j)``.

    >>> [round(p, 4) for p in Softmax().group_value([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    """

    name = "softmax"
    is_group = True

    def group_value(self, pres: Sequence[Signal]) -> list:
        """Outputs of the whole group, in the order of ``pres``."""
        stacked = np.array(pres, dtype=float)
        shifted = np.exp(stacked - stacked.max(axis=0))
        posts = shifted / shifted.sum(axis=0)
        return posts.tolist() if stacked.ndim == 1 else list(posts)

    def group_grad_pre(self, posts: Sequence[Signal], grad_posts: Sequence[Signal]) -> list:
        """``dL/dpre`` of each member from the members' outputs and ``dL/dpost``."""
        post = np.array(posts, dtype=float)
        grad_post = np.array(grad_posts, dtype=float)
        grad_pre = post * (grad_post - (grad_post * post).sum(axis=0))
        return grad_pre.tolist() if post.ndim == 1 else list(grad_pre)

    def value(self, pre: Signal) -> Signal:
        raise InvalidArgument(
            "softmax couples several nodes; the network evaluates it over its group."
        )

    derivative = value  # type: ignore[assignment]


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus, Softmax)
}


def register_activation(cls: type[Activation]) -> type[Activation]:
    """Make a custom :class:`Activation` subclass known by its ``name``, so saved models that use it load.

    Use it as a class decorator.  Options the instances carry must be in
    the dict :meth:`Activation.to_spec` returns (``{"name": ..., "scale": ...}``),
    and the constructor must take them as keyword arguments.

    >>> @register_activation
    ... class Cube(Activation):
    ...     name = "cube"
    ...     def value(self, pre): return pre ** 3
    ...     def derivative(self, pre, post): return 3 * pre ** 2
    >>> get_activation("cube")
    Cube()
    >>> del ACTIVATIONS["cube"]
    """
    if not (isinstance(cls, type) and issubclass(cls, Activation)):
        raise ArgumentTypeError(f"register_activation takes a subclass of nodenet.Activation; got {cls!r}.")
    name = cls.name
    if not isinstance(name, str) or not name.isidentifier():
        raise InvalidArgument(f"{cls.__name__}.name must be an identifier such as 'cube'; got {name!r}.")
    known = ACTIVATIONS.get(name)
    if known is not None and known is not cls:
        raise InvalidArgument(f"An activation named {name!r} is already registered ({known.__name__}); choose another name.")
    ACTIVATIONS[name] = cls
    return cls


def get_activation(spec: Union[str, dict, Activation]) -> Activation:
    """Return the activation for a name, a spec dict or an instance.

    Parameters
    ----------
    spec : str, dict or Activation
        A registered name (see ``ACTIVATIONS``), a dict such as
        ``{"name": "leaky_relu", "slope": 0.1}``, or an Activation object.

    Examples
    --------
    >>> get_activation("tanh")
    Tanh()
    >>> get_activation({"name": "leaky_relu", "slope": 0.2})
    LeakyReLU(slope=0.2)
    """
    if isinstance(spec, Activation):
        return spec
    options: dict = {}
    if isinstance(spec, dict):
        options = dict(spec)
        spec = options.pop("name", None)
    if not isinstance(spec, str) or spec not in ACTIVATIONS:
        raise InvalidArgument(
            f"Unknown activation {spec!r}; choose one of {', '.join(sorted(ACTIVATIONS))}."
        )
    try:
        return ACTIVATIONS[spec](**options)
    except TypeError as err:
        raise InvalidArgument(f"Bad options {options!r} for activation {spec!r}: {err}.") from err
