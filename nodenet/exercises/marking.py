"""Marking a worksheet: right or wrong within the tolerance, and the mistake that explains a wrong answer.

:func:`check` compares each answer with the key.  For the wrong ones it
recomputes the whole sheet under each known mistake
(:func:`nodenet.exercises.mistakes.candidates`, through the model of
:mod:`nodenet.exercises.hand`) and keeps the mistake that explains the most
answers, then a second and a third if more remain; a mistake that would
spoil answers the student got right loses to one that does not.  An answer
no mistake explains may still follow from the student's own earlier
answers (an error carried forward); it says so.

Examples
--------
>>> from nodenet.exercises import check, worksheet
>>> sheet = worksheet("chapter", seed=3, ask="update")
>>> answers = {q.symbol: q.answer for q in sheet.questions}
>>> answers["new λ1,4"] = 2 * sheet.network.connection("I1", "H4").weight - answers["new λ1,4"]  # the step added
>>> marking = check(sheet, answers)
>>> marking.score
(10, 11)
>>> print(marking.wrong[0].diagnosis)
the update of λ1,4 adds the gradient step: λ1,4 + η·∂L/∂λ1,4 where descent is λ1,4 − η·∂L/∂λ1,4
>>> print(marking.wrong[0].formula)
λ1,4 + η·∂L/∂λ1,4 = (-0.2000) + (0.5000)(0.0419) = -0.1791
"""

from __future__ import annotations

import itertools
import math
import numbers
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..checks import check_path
from ..errors import FormatError, InvalidArgument
from .hand import Quantity, Slip, hand_values
from .mistakes import candidates, describe, formula, sites
from .questions import Question, normalized
from .sheet import Worksheet

__all__ = ["Mark", "Marking", "check", "read_answers"]

MAX_MISTAKES = 4
"""At most this many mistakes are combined to explain one set of answers."""

PAIRED = 24
"""When no single mistake explains anything, pairs of the first this many candidates (the common ones) are tried."""


@dataclass(frozen=True)
class Mark:
    """One question marked: ``status`` is ``right``, ``wrong``, ``unanswered`` or ``unreadable``."""

    question: Question
    given: float | None
    status: str
    mistakes: tuple[Slip, ...] = ()
    diagnosis: str = ""
    formula: str = ""
    carried_from: tuple[str, ...] = ()
    raw: str | None = None

    @property
    def expected(self) -> float:
        return self.question.answer

    @property
    def right(self) -> bool:
        return self.status == "right"

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of the mistakes named (see :data:`nodenet.exercises.MISTAKES`)."""
        return tuple(slip.kind for slip in self.mistakes)


class Marking:
    """Every question's mark; ``str()`` is the report a student reads."""

    def __init__(self, marks: list[Mark], tolerance: float, digits: int, slips: list[Slip], descriptions: dict[Slip, str]) -> None:
        self.marks, self.tolerance, self.digits = marks, tolerance, digits
        self.slips = slips
        self._descriptions = descriptions

    @property
    def score(self) -> tuple[int, int]:
        """(right answers, questions)."""
        return sum(mark.right for mark in self.marks), len(self.marks)

    @property
    def wrong(self) -> list[Mark]:
        return [mark for mark in self.marks if mark.status == "wrong"]

    def __getitem__(self, key: Any) -> Mark:
        """The mark of question ``key``: its number or its symbol."""
        for mark in self.marks:
            if key == mark.question.number or normalized(str(key)) in (normalized(mark.question.symbol), normalized(mark.question.ascii)):
                return mark
        raise InvalidArgument(
            f"No question {key!r} on this sheet; use a number from 1 to {len(self.marks)} or a symbol such as "
            f"{self.marks[0].question.symbol!r}."
        )

    @property
    def text(self) -> str:
        right, total = self.score
        digits = self.digits
        lines = [f"{right} of {total} right (an answer within ±{self.tolerance:.{digits}f} of the key is right)."]
        if self.slips:
            lines.append("Mistakes found: " + "; ".join(self._descriptions[slip] for slip in self.slips) + ".")
        for mark in self.marks:
            q = mark.question
            head = f"{q.number}. {q.symbol}: "
            if mark.status == "right":
                lines.append(head + f"right ({mark.given:.{digits}f})")
                continue
            if mark.status == "unanswered":
                lines.append(head + f"not answered; the answer is {q.answer:.{digits}f}: {q.worked}")
                continue
            if mark.status == "unreadable":
                lines.append(head + f"{mark.raw!r} is not a number; the answer is {q.answer:.{digits}f}: {q.worked}")
                continue
            lines.append(head + f"wrong: {mark.given:.{digits}f} given, {q.answer:.{digits}f} expected.")
            if mark.diagnosis:
                lines.append(f"   Why: {mark.diagnosis}.")
            if mark.formula:
                lines.append(f"   You probably computed: {mark.formula}")
            lines.append(f"   The formula: {q.worked}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        right, total = self.score
        return f"<Marking: {right} of {total} right>"


def read_answers(path: Any, sheet: Worksheet) -> dict[int, str]:
    """The answers of a filled-in file, by question number: ``N. symbol = value`` or ``symbol = value`` lines.

    The blank answers file of :meth:`Worksheet.save` and the Markdown question
    sheet both read this way; ``#`` lines and blank values are skipped.
    """
    target = Path(check_path(path, "check"))
    try:
        lines = target.read_text(encoding="utf-8-sig").splitlines()  # -sig: a byte-order mark is no part of line 1
    except UnicodeDecodeError:
        raise FormatError(f"{target} is not UTF-8 text; save the answers file as UTF-8 (plain text) and mark it again.") from None
    except OSError as error:
        raise FormatError(f"{target} cannot be read as an answers file: {error}.") from None
    found: dict[int, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.replace("\\", "").strip()
        # comments, and a Markdown sheet's headings, lists, tables and quotes, are no answers
        if not text or text.startswith(("#", "-", "*", "|", ">")) or "=" not in text:
            continue
        left, value = text.partition("=")[0], text.rpartition("=")[2]  # "N. symbol = working = value"
        value = value.strip().strip("_*").strip()
        if not value:
            continue
        try:
            question = _question_of(left, sheet, strict=True)
        except InvalidArgument as error:
            raise FormatError(f"{target}, line {number}: {error}") from None
        if question is None:
            raise FormatError(f"{target}, line {number}: {left.strip()!r} is no question of this sheet; write 'N. symbol = value'.")
        if question.number in found:
            raise FormatError(f"{target}, line {number}: question {question.number} ({question.symbol}) is answered twice.")
        found[question.number] = value
    return found


_NUMBERED = re.compile(r"^\s*[Qq]?(\d+)\s*[.):]\s*(.*)$")


def _question_of(key: Any, sheet: Worksheet, *, strict: bool = True) -> Question | None:
    """The question a key names: its number (``3``, ``"3."``, ``"Q3"``) or its symbol (any spelling of it).

    A symbol is looked up before a number (a node may be called ``Q1``); a
    number followed by a symbol must name the same question.
    """
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        return next((q for q in sheet.questions if q.number == int(key)), None)
    text = str(key)
    exact = [q for q in sheet.questions if text.strip() in (q.symbol, q.ascii)]
    wanted = normalized(text)
    by_symbol = exact or [q for q in sheet.questions if wanted in (normalized(q.symbol), normalized(q.ascii))]
    if len(by_symbol) > 1:
        numbers_of = " and ".join(str(q.number) for q in by_symbol)
        raise InvalidArgument(f"{text.strip()!r} names questions {numbers_of} of this sheet (node names that read alike); "
                              "answer them by number.")
    if by_symbol:
        return by_symbol[0]
    numbered = _NUMBERED.match(text) or re.fullmatch(r"\s*[Qq]?(\d+)\s*()", text)
    if not numbered:
        return None
    question = _question_of(int(numbered.group(1)), sheet)
    named = numbered.group(2).strip()
    if strict and question is not None and named and normalized(named) not in (normalized(question.symbol), normalized(question.ascii)):
        raise InvalidArgument(f"question {question.number} is {question.symbol}, but {text.strip()!r} names {named!r}.")
    return question


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        try:
            value = float(raw)
        except OverflowError:
            return None
        return value if math.isfinite(value) else None
    text = str(raw).strip().replace("−", "-").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check(sheet: Any, answers: Any, *, tolerance: float | None = None) -> Marking:
    """Mark ``answers`` to ``sheet``: right or wrong, and for a wrong one the mistake that explains it.

    Parameters
    ----------
    sheet : Worksheet or path
        A :class:`Worksheet`, or the ``worksheet.json`` (or its folder) that :meth:`Worksheet.save` wrote.
    answers : mapping or path
        Answers by question number or symbol (``{"H4_in": 0.4326, 5: -0.031}``;
        ``dL/dw1,4`` spells ``∂L/∂λ1,4``), or a filled-in answers file
        (see :func:`read_answers`).
    tolerance : float, optional
        The largest difference from the key still marked right; the sheet's
        own (``5·10^-digits``) by default.

    Returns
    -------
    Marking
    """
    if not isinstance(sheet, Worksheet):
        sheet = Worksheet.load(sheet)
    try:
        tol = sheet.tolerance if tolerance is None else float(tolerance)
    except (TypeError, ValueError):
        tol = math.nan
    if not tol >= 0 or not math.isfinite(tol):
        raise InvalidArgument(f"tolerance must be a finite number >= 0; got {tolerance!r}.")
    if isinstance(answers, Mapping):
        raw: dict[int, Any] = {}
        for key, value in answers.items():
            question = _question_of(key, sheet)
            if question is None:
                raise InvalidArgument(
                    f"answers: {key!r} is no question of this sheet; use its number (1 to "
                    f"{len(sheet.questions)}) or its symbol, such as {sheet.questions[0].symbol!r}."
                )
            if question.number in raw:
                raise InvalidArgument(f"answers: question {question.number} ({question.symbol}) is answered twice.")
            raw[question.number] = value
    else:
        raw = dict(read_answers(answers, sheet))
    given = {q.quantity: _number(raw[q.number]) for q in sheet.questions if raw.get(q.number) is not None}
    numbers = {quantity: value for quantity, value in given.items() if value is not None}
    return _mark(sheet, raw, numbers, tol)


def _mark(sheet: Worksheet, raw: dict[int, Any], numbers: dict[Quantity, float], tol: float) -> Marking:
    net = sheet.network

    def walk(slips: list[Slip], given: Mapping[Quantity, float] | None = None) -> dict[Quantity, float]:
        return hand_values(net, sheet.inputs, sheet.targets, lr=sheet.lr, loss=sheet.loss, slips=slips, given=given)

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= tol

    def explained(values: Mapping[Quantity, float]) -> set[Quantity]:
        return {q for q, v in numbers.items() if close(v, values[q])}

    expected = {q.quantity: q.answer for q in sheet.questions}
    wrong = {q for q, v in numbers.items() if not close(v, expected[q])}
    slips: list[Slip] = []
    matched = set(numbers) - wrong
    pool = candidates(net) if wrong else []
    alternatives: dict[Slip, list[Slip]] = {}
    while wrong - matched and len(slips) < MAX_MISTAKES:
        scored = []
        for i, slip in enumerate(pool):
            if slip not in slips:
                found = explained(walk([*slips, slip]))
                scored.append((len(found), -i, slip, found))
        best = max(scored, default=None, key=lambda item: item[:2])
        if (best is None or best[0] <= len(matched)) and not slips:
            # two mistakes that only together explain anything (λ + ∂L/∂λ: the sign and the rate), among the common ones
            common = pool[:PAIRED]
            pairs = [(len(found := explained(walk([a, b]))), -i, (a, b), found)
                     for i, (a, b) in enumerate(itertools.combinations(common, 2))]
            pair = max(pairs, default=None, key=lambda item: item[:2])
            if pair is not None and pair[0] > len(matched):
                slips.extend(pair[2])
                matched = pair[3]
                alternatives.update({slip: [] for slip in pair[2]})
                continue
        if best is None or best[0] <= len(matched):
            break
        slips.append(best[2])
        matched = best[3]
        # slips that explain exactly the same answers: the numbers cannot tell them apart
        alternatives[best[2]] = [item[2] for item in scored if item[3] == best[3] and item[2] != best[2]]
    values = walk(slips)
    descriptions = {}
    for slip in slips:
        same = [describe(other, net) for other in alternatives[slip][:2]]
        descriptions[slip] = describe(slip, net) + (f" (or, giving the same numbers: {'; or '.join(same)})" if same else "")
    marks = []
    for question in sheet.questions:
        q, entry = question.quantity, raw.get(question.number)
        if entry is None:
            marks.append(Mark(question, None, "unanswered"))
        elif q not in numbers:
            marks.append(Mark(question, None, "unreadable", raw=str(entry)))
        elif q not in wrong:
            marks.append(Mark(question, numbers[q], "right"))
        elif q in matched:
            causes = tuple(s for s in slips if abs(walk([t for t in slips if t != s])[q] - values[q]) > 1e-12) or tuple(slips)
            marks.append(
                Mark(
                    question,
                    numbers[q],
                    "wrong",
                    causes,
                    "; ".join(descriptions[s] for s in causes),
                    _probable_formula(sheet, causes, q, values),
                )
            )
        else:
            marks.append(_carried(sheet, question, numbers, slips, wrong, walk, close))
    return Marking(marks, tol, sheet.digits, [s for s in slips if any(s in m.mistakes for m in marks)], descriptions)


def _probable_formula(sheet: Worksheet, causes: tuple[Slip, ...], q: Quantity, values: Mapping[Quantity, float]) -> str:
    """The mistaken formula where the mistake acts; elsewhere, where the wrong number came from."""
    for slip in causes:
        if q in sites(slip, sheet.network):
            return formula(slip, q, sheet.network, values, lr=sheet.lr, digits=sheet.digits, loss=sheet.loss)
    from .questions import symbol_of

    origins = [symbol_of(site, sheet.network) for slip in causes for site in sites(slip, sheet.network)][:3]
    return f"the right formula, with the wrong number carried from {', '.join(origins)}"


def _carried(sheet: Worksheet, question: Question, numbers: dict, slips: list[Slip], wrong: set, walk: Any, close: Any) -> Mark:
    """A wrong answer that no mistake explains: right for the student's own earlier numbers, or unexplained."""
    q = question.quantity
    others = {k: v for k, v in numbers.items() if k != q}
    own = walk(slips, others)[q]
    if not close(numbers[q], own):
        return Mark(question, numbers[q], "wrong", diagnosis="no known mistake explains this number: check the arithmetic")
    order = [x.quantity for x in sheet.questions]
    earlier = [k for k in wrong if k != q and order.index(k) < order.index(q)]
    from_these = tuple(
        next(x.symbol for x in sheet.questions if x.quantity == k)
        for k in earlier
        if not close(walk(slips, {j: v for j, v in others.items() if j != k})[q], own)
    )
    if not from_these:
        return Mark(question, numbers[q], "wrong", diagnosis="no known mistake explains this number: check the arithmetic")
    return Mark(
        question,
        numbers[q],
        "wrong",
        diagnosis=f"it follows from your own {', '.join(from_these)}: the method is right, the error is carried forward",
        carried_from=from_these,
    )
