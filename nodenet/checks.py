"""Checks of numeric arguments, shared by every module that takes numbers from users."""

from __future__ import annotations

import math
import os
from typing import Any, Sequence

import numpy as np

from .errors import ArgumentTypeError, InvalidArgument

__all__ = [
    "as_float_array", "check_finite", "check_int", "check_number", "check_positive", "check_range", "check_name", "check_path",
    "registered", "NAME_RULE",
]


def check_number(value: Any, what: str) -> float:
    """Return ``value`` as a finite float, or raise naming ``what``.

    Python and numpy numbers are accepted; booleans, strings, NaN, infinities
    and numbers too large for a float are not.

    >>> check_number(1, "weight of 'I1'->'H4'")
    1.0
    >>> check_number("x", "weight of 'I1'->'H4'")
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: The weight of 'I1'->'H4' must be a finite number; got 'x'.
    """
    try:
        number = float(value) if not isinstance(value, (bool, str, bytes)) else math.nan
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidArgument(f"The {what} must be a finite number; got {value!r}.") from err
    if not math.isfinite(number):
        raise InvalidArgument(f"The {what} must be a finite number; got {value!r}.")
    return number


def check_range(value: Any, what: str, low: float, high: float, *, low_open: bool = False, high_open: bool = False) -> float:
    """A finite number in the interval from ``low`` to ``high`` (ends closed unless told).

    >>> check_range(0.9, "SGD momentum", 0.0, 1.0, high_open=True)
    0.9
    >>> check_range(1.0, "SGD momentum", 0.0, 1.0, high_open=True)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: The SGD momentum must be a number in [0, 1); got 1.0.
    """
    number = check_number(value, what)
    above = number > low if low_open else number >= low
    below = number < high if high_open else number <= high
    if not (above and below):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise InvalidArgument(f"The {what} must be a number in {interval}; got {value!r}.")
    return number


def check_int(value: Any, what: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int from ``minimum`` to ``maximum`` (Python or numpy ints, not booleans).

    >>> check_int(3, "limit", minimum=1)
    3
    >>> check_int(True, "digits", minimum=0, maximum=17)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: The digits must be an int from 0 to 17; got True.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        if minimum is None:
            bounds = ""
        else:
            bounds = f" >= {minimum}" if maximum is None else f" from {minimum} to {maximum}"
        raise InvalidArgument(f"The {what} must be an int{bounds}; got {value!r}.")
    return int(value)


def as_float_array(values: Any, what: str) -> np.ndarray:
    """``values`` as a float array, or :class:`InvalidArgument` naming ``what``.

    >>> as_float_array([["a"]], "The inputs")
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: The inputs must be numbers (a sequence or an array); got [['a']].
    """
    try:
        return np.asarray(values, dtype=float)
    except ValueError as err:
        if "inhomogeneous" in str(err):
            raise InvalidArgument(
                f"{what} must be a rectangular table of numbers; its rows have different lengths: {values!r:.200}."
            ) from err
        raise InvalidArgument(f"{what} must be numbers (a sequence or an array); got {values!r:.200}.") from err
    except (TypeError, OverflowError) as err:
        raise InvalidArgument(f"{what} must be numbers (a sequence or an array); got {values!r:.200}.") from err


DTYPES = ("float64", "float32")


def check_dtype(dtype: Any, what: str = "dtype") -> np.dtype:
    """``dtype`` as numpy's float64 (``None`` too) or float32, the precisions the compiled plan computes in.

    >>> check_dtype(None), check_dtype("float32")
    (dtype('float64'), dtype('float32'))
    >>> check_dtype(int)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: dtype must be np.float64 (the default) or np.float32; got <class 'int'>.
    """
    if dtype is None:
        return np.dtype(np.float64)
    try:
        resolved = np.dtype(dtype)
    except (TypeError, ValueError):
        resolved = None
    if resolved is None or resolved.name not in DTYPES:
        raise InvalidArgument(f"{what} must be np.float64 (the default) or np.float32; got {dtype!r}.")
    return np.dtype(resolved.name)  # in the machine's byte order (">f4" is float32 too)


def all_finite(values: np.ndarray, where: np.ndarray | None = None) -> bool:
    """Whether every value of a float array (those marked by ``where``) is finite, in one pass when they are.

    A finite sum has only finite terms (NaN and inf propagate); only a sum
    that overflowed needs the element-wise test.

    >>> all_finite(np.array([1e308, 1e308])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing sum is answered below, without a warning
        total = np.add.reduce(values, axis=None, where=True if where is None else where)
    if math.isfinite(total):
        return True
    return bool(np.isfinite(values if where is None else values[where]).all())


def check_finite(table: np.ndarray, what: str, columns: Sequence[str] | None = None, *, rows: bool = True) -> None:
    """Raise :class:`InvalidArgument` at the first NaN or infinity of a 2-D table.

    The message names the column (by name when ``columns`` are given) and,
    with ``rows``, the row.

    >>> import numpy as np
    >>> check_finite(np.array([[1.0, 2.0], [3.0, np.inf]]), "X", columns=["I1", "I2"])
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: X holds inf for 'I2' in row 1; values must be finite (clean or impute NaN and ...
    """
    if all_finite(table):
        return
    finite = np.isfinite(table)
    row, col = (int(i) for i in np.argwhere(~finite)[0])
    where = f"for {columns[col]!r}" if columns is not None else f"in column {col}"
    if rows:
        where += f" in row {row}"
    raise InvalidArgument(
        f"{what} holds {float(table[row, col])!r} {where}; values must be finite (clean or impute NaN and inf first)."
    )


NAME_RULE = (
    "A node name is any non-blank string of printable characters (letters, digits, spaces, punctuation, "
    "any script) without '->'."
)


def check_name(name: Any) -> str:
    """Refuse what cannot be a node name: see :data:`NAME_RULE`.

    >>> check_name("H 4 (skip)")
    'H 4 (skip)'
    >>> check_name("a->b")
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: Node name 'a->b' contains '->', which separates the nodes of a weight's name ...
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"Node names must be strings; got {type(name).__name__} {name!r}.")
    if not name.strip():
        raise InvalidArgument(f"Node names must not be empty or blank; got {name!r}. {NAME_RULE}")
    if not name.isprintable():
        bad = next(char for char in name if not char.isprintable())
        raise InvalidArgument(f"Node name {name!r} contains the unprintable character {bad!r}. {NAME_RULE}")
    if "->" in name:
        raise InvalidArgument(
            f"Node name {name!r} contains '->', which separates the nodes of a weight's name ('I1->H4'). {NAME_RULE}"
        )
    return name


def check_path(path: Any, what: str) -> str:
    """``path`` as a str, refusing what is not a file path (None, bytes, numbers) with an error naming ``what``.

    >>> check_path(None, "save")
    Traceback (most recent call last):
    ...
    nodenet.errors.ArgumentTypeError: save needs a file path (str or pathlib.Path); got NoneType None.
    """
    if isinstance(path, (bytes, bytearray)) or not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"{what} needs a file path (str or pathlib.Path); got {type(path).__name__} {path!r:.80}.")
    target = os.fspath(path)
    if not isinstance(target, str):
        raise ArgumentTypeError(f"{what} needs a text path (str or pathlib.Path); got the bytes path {target!r:.80}.")
    return target


def check_positive(value: Any, what: str) -> float:
    """``value`` as a float if it is a finite number > 0, else an :class:`InvalidArgument` naming ``what``.

    >>> check_positive(0.5, "lr")
    0.5
    """
    try:
        number = check_number(value, what)
    except InvalidArgument:
        number = math.nan
    if not number > 0:
        raise InvalidArgument(f"The {what} must be a finite number > 0; got {value!r}.")
    return number


def registered(spec: Any, registry: dict, kind: str, example: str) -> Any:
    """The class registered under the name ``spec``, or an error listing the names.

    >>> registered("a", {"a": int}, "kind", "an int")
    <class 'int'>
    """
    if not isinstance(spec, str) or spec not in registry:
        raise InvalidArgument(f"Unknown {kind} {spec!r}; choose one of {', '.join(registry)}, or pass {example}.")
    return registry[spec]
