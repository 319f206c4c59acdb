"""Learning-rate schedules: the rate of each epoch ``ℓ`` from the initial rate ``η0``.

=================  ===============================================
``constant``       ``η0``
``time``           ``η0 / (1 + decay · ℓ)`` (the usual time-based decay)
``chapter``        ``η_ℓ = η_{ℓ-1} / (1 + decay · ℓ)``, the chapter's
                   compounding recurrence (it decays much faster)
``step``           ``η0 · factor ** (ℓ // every)``
``exponential``    ``η0 · gamma ** ℓ``
=================  ===============================================

Examples
--------
>>> [round(TimeDecay(decay=0.5).rate(1.0, epoch), 4) for epoch in range(3)]
[1.0, 0.6667, 0.5]
"""

from __future__ import annotations

import itertools
from typing import Iterator, Union

from .checks import check_positive, check_range, registered
from .errors import InvalidArgument

__all__ = ["Schedule", "Constant", "TimeDecay", "ChapterDecay", "StepDecay", "ExponentialDecay", "SCHEDULES", "get_schedule"]


class Schedule:
    """Base class: :meth:`rate` gives the learning rate of epoch ``epoch``."""

    name = ""

    def rate(self, lr: float, epoch: int) -> float:
        """The learning rate of ``epoch`` (0-based) for an initial rate ``lr``."""
        raise NotImplementedError

    def rates(self, lr: float) -> Iterator[float]:
        """The rates of epochs 0, 1, 2, ... (an endless iterator)."""
        return (self.rate(lr, epoch) for epoch in itertools.count())

    def __repr__(self) -> str:
        options = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({options})"


class Constant(Schedule):
    """The same rate every epoch.

    >>> Constant().rate(0.2, 500)
    0.2
    """

    name = "constant"

    def rate(self, lr: float, epoch: int) -> float:
        return lr

    def rates(self, lr: float) -> Iterator[float]:
        return itertools.repeat(lr)  # no call per epoch


class TimeDecay(Schedule):
    """Time-based decay ``η_ℓ = η0 / (1 + decay · ℓ)``.

    >>> TimeDecay(decay=0.1).rate(1.0, 10)
    0.5
    """

    name = "time"

    def __init__(self, *, decay: float = 0.01) -> None:
        self.decay = check_positive(decay, "TimeDecay decay")

    def rate(self, lr: float, epoch: int) -> float:
        return lr / (1.0 + self.decay * epoch)


class ChapterDecay(Schedule):
    """The chapter's compounding recurrence ``η_ℓ = η_{ℓ-1} / (1 + decay · ℓ)``.

    Each epoch divides the previous epoch's rate, so
    ``η_ℓ = η0 / Π_{i=1..ℓ} (1 + decay · i)``: far faster than
    :class:`TimeDecay`, which the chapter's text intends (the usual
    time-based decay divides ``η0``, not ``η_{ℓ-1}``).  Offered to reproduce
    the chapter's formula as written.

    >>> [round(ChapterDecay(decay=0.1).rate(1.0, epoch), 6) for epoch in range(3)]
    [1.0, 0.909091, 0.757576]
    >>> [round(r, 6) for r in itertools.islice(ChapterDecay(decay=0.1).rates(1.0), 3)]
    [1.0, 0.909091, 0.757576]
    """

    name = "chapter"

    def __init__(self, *, decay: float = 0.01) -> None:
        self.decay = check_positive(decay, "ChapterDecay decay")

    def rate(self, lr: float, epoch: int) -> float:
        for step in range(1, epoch + 1):
            lr = lr / (1.0 + self.decay * step)
        return lr

    def rates(self, lr: float) -> Iterator[float]:
        for step in itertools.count(1):
            yield lr
            lr = lr / (1.0 + self.decay * step)


class StepDecay(Schedule):
    """Multiply the rate by ``factor`` every ``every`` epochs: ``η0 · factor ** (ℓ // every)``.

    >>> [StepDecay(factor=0.5, every=2).rate(1.0, epoch) for epoch in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    name = "step"

    def __init__(self, *, factor: float = 0.5, every: int = 100) -> None:
        self.factor = check_range(factor, "StepDecay factor", 0.0, 1.0)
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise InvalidArgument(f"StepDecay every must be an int >= 1 (epochs between drops); got {every!r}.")
        self.every = every

    def rate(self, lr: float, epoch: int) -> float:
        return lr * self.factor ** (epoch // self.every)


class ExponentialDecay(Schedule):
    """``η_ℓ = η0 · gamma ** ℓ``.

    >>> ExponentialDecay(gamma=0.5).rate(1.0, 3)
    0.125
    """

    name = "exponential"

    def __init__(self, *, gamma: float = 0.99) -> None:
        self.gamma = check_range(gamma, "ExponentialDecay gamma", 0.0, 1.0)

    def rate(self, lr: float, epoch: int) -> float:
        return lr * self.gamma**epoch


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (Constant, TimeDecay, ChapterDecay, StepDecay, ExponentialDecay)
}


def get_schedule(spec: Union[None, str, Schedule]) -> Schedule:
    """The schedule for ``None`` (constant), a name (default options) or an instance.

    >>> get_schedule("time")
    TimeDecay(decay=0.01)
    >>> get_schedule(None)
    Constant()
    """
    if spec is None:
        return Constant()
    if isinstance(spec, Schedule):
        return spec
    return registered(spec, SCHEDULES, "schedule", "a Schedule such as nodenet.TimeDecay(decay=0.01)")()
