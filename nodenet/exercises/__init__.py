"""Exercises: backpropagation worksheets by hand, their answer keys, and marking that names the mistake.

:func:`worksheet` draws (or takes) a small network and writes the questions,
with the diagram, the formulas and blanks, and the key, each answer with its
worked formula (nodenet's own numbers and :func:`nodenet.explain.explain`'s
lines).  :func:`check` marks a student's answers and, for a wrong one, names
the mistake of :data:`MISTAKES` that explains it.  ``nodenet exercise`` and
``nodenet mark`` do the same on the command line.

Examples
--------
>>> from nodenet.exercises import check, worksheet
>>> sheet = worksheet("chapter", seed=5)
>>> len(sheet.questions), sheet.questions[0].symbol
(37, 'H4_in')
>>> check(sheet, {"H4_in": round(sheet.questions[0].answer, 4)}).score
(1, 37)
"""

from .hand import Quantity, Slip
from .marking import Mark, Marking, check, read_answers
from .mistakes import MISTAKES
from .questions import Question
from .sheet import NETWORKS, Worksheet, worksheet
from .writing import FORMATS

__all__ = [
    "worksheet",
    "check",
    "Worksheet",
    "Question",
    "Marking",
    "Mark",
    "MISTAKES",
    "Slip",
    "Quantity",
    "NETWORKS",
    "FORMATS",
    "read_answers",
]
