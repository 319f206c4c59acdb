"""Worksheets: a small network, its givens, the formulas, blanks to fill in, and the answer key.

Examples
--------
>>> from nodenet.exercises import worksheet
>>> sheet = worksheet("2-2-1", seed=7, ask="forward")
>>> print(sheet.questions[0].symbol, "=", f"{sheet.questions[0].answer:.4f}")
H3_in = 0.1200
>>> sheet == worksheet("2-2-1", seed=7, ask="forward")
True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence, cast

import numpy as np

from ..checks import check_int, check_number, check_path
from ..errors import ArgumentTypeError, FormatError, InvalidArgument, NodenetError
from ..io import from_dict, to_dict
from ..network import Network
from ..render import render
from .questions import Question, build_questions
from .writing import FORMATS, write

__all__ = ["Worksheet", "worksheet", "NETWORKS"]

NETWORKS = ("chapter", "2-2-1", "skip")
"""The networks a worksheet draws by name; a layer list such as ``"2-3-1"`` or ``[2, 3, 1]`` works too."""

SHEET_FORMAT = "nodenet-worksheet"


def _draw_network(spec: Any, rng: np.random.Generator, hand_friendly: bool) -> Network:
    """The named or layered network, sigmoid hidden nodes and a linear output, with seeded parameters."""
    skip = spec == "skip"
    if spec in ("chapter", None):
        sizes: list[int] = [3, 2, 1]
    elif skip:
        sizes = [2, 2, 1]
    elif isinstance(spec, str):
        try:
            sizes = [int(part) for part in spec.split("-")]
        except ValueError:
            raise InvalidArgument(f"net={spec!r}: name one of {', '.join(NETWORKS)} or give layer sizes such as '2-3-1'.") from None
    elif isinstance(spec, (list, tuple)):
        sizes = list(spec)
    else:
        raise InvalidArgument(f"net={spec!r}: give a Network, one of {', '.join(NETWORKS)}, or layer sizes such as '2-3-1' or [2, 3, 1].")
    if len(sizes) < 2 or any(not isinstance(size, (int, np.integer)) or size < 1 for size in sizes):
        raise InvalidArgument(f"net={spec!r}: a worksheet needs layer sizes of at least 1, input first, e.g. [2, 2, 1].")
    if sum(sizes) > 16:
        raise InvalidArgument(f"net={spec!r} has {sum(sizes)} nodes; a worksheet by hand is for at most 16 (e.g. '3-2-1').")
    net = Network.from_layers(sizes, hidden="sigmoid", output="identity", seed=int(rng.integers(2**31)))
    if skip:
        net.connect("I1", net.outputs[0], weight=0.0)
    if hand_friendly:
        for conn in net.connections:
            conn.weight = float(rng.choice([-1, 1]) * rng.integers(1, 10)) / 10
        for node in net.nodes:
            if node.kind != "input":
                node.bias = float(rng.integers(-5, 6)) / 10
    return net


def _copy(net: Network, hand_friendly: bool) -> Network:
    copy = cast(Network, from_dict(to_dict(net)))
    if hand_friendly:
        for conn in copy.connections:
            conn.weight = round(conn.weight, 2) + 0.0  # + 0.0: no -0.0 on a sheet
        for node in copy.nodes:
            if node.kind != "input":
                node.bias = round(float(node.bias), 2) + 0.0  # type: ignore[arg-type]
    return copy


class Worksheet:
    """A by-hand exercise and its key; made by :func:`worksheet`, marked by :func:`~nodenet.exercises.check`.

    ``str()`` gives the question sheet in the chosen format and
    :attr:`key` the answer key; :meth:`save` writes both, the diagram, a
    blank answers file and ``worksheet.json`` (what :func:`check` reads).
    """

    def __init__(
        self,
        network: Network,
        inputs: Sequence[float],
        targets: Sequence[float],
        *,
        lr: float,
        loss: str,
        ask: Any,
        digits: int,
        format: str,
        seed: Any,
        rounded: bool,
    ) -> None:
        self.network = network
        self.inputs = [float(v) for v in inputs]
        self.targets = [float(v) for v in targets]
        self.lr, self.loss, self.ask, self.digits, self.format, self.seed = lr, loss, ask, digits, format, seed
        self.rounded = rounded
        self.tolerance = 5 * 10.0 ** (-digits)
        self.questions: list[Question] = build_questions(
            network, self.inputs, self.targets, lr=lr, ask=ask, rng=np.random.default_rng(seed), digits=digits, loss=loss
        )

    # ------------------------------------------------------------------ text
    def text(self, part: str = "questions", format: str | None = None) -> str:
        """The ``'questions'`` sheet or the ``'key'`` in ``format`` (the sheet's own by default)."""
        if part not in ("questions", "key"):
            raise InvalidArgument(f"part must be 'questions' or 'key'; got {part!r}.")
        return write(self, key=part == "key", format=format or self.format)

    @property
    def key(self) -> str:
        """The answer key: every answer with its worked formula, in the sheet's format."""
        return self.text("key")

    def __str__(self) -> str:
        return self.text("questions")

    def __repr__(self) -> str:
        return f"<Worksheet: {len(self.questions)} questions on {len(self.network.nodes)} nodes, seed {self.seed!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Worksheet) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def _repr_markdown_(self) -> str:
        return self.text("questions", "markdown")

    def answers_template(self) -> str:
        """A blank answers file: one ``N. symbol =`` line per question, for a student to fill in."""
        lines = [f"# nodenet worksheet answers: write each number after its '=' ({self.digits} decimals)"]
        return "\n".join(lines + [f"{q.number}. {q.symbol} = " for q in self.questions]) + "\n"

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict:
        """What ``worksheet.json`` holds: the network, the givens and the questions."""
        return {
            "format": SHEET_FORMAT,
            "version": 1,
            "network": to_dict(self.network),
            "inputs": self.inputs,
            "targets": self.targets,
            "lr": self.lr,
            "loss": self.loss,
            "ask": [q.symbol for q in self.questions],
            "digits": self.digits,
            "format_of_sheet": self.format,
            "seed": self.seed,
            "rounded": self.rounded,
        }

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "the worksheet") -> Worksheet:
        """The worksheet :meth:`to_dict` described (a :class:`~nodenet.FormatError` naming the problem otherwise)."""
        if not isinstance(data, Mapping) or data.get("format") != SHEET_FORMAT or data.get("version") != 1:
            raise FormatError(f"{where} is not a nodenet worksheet (version 1); write one with worksheet(...).save(folder).")
        try:
            if not isinstance(data["rounded"], bool):
                raise InvalidArgument(f"rounded must be true or false; got {data['rounded']!r}.")
            # through worksheet(), so that every value is checked as when the sheet was made
            sheet = worksheet(
                cast(Network, from_dict(data["network"])),
                data["inputs"],
                data["targets"],
                ask=data["ask"],
                seed=data["seed"],
                format=data["format_of_sheet"],
                hand_friendly=False,
                lr=data["lr"],
                loss=data["loss"],
                digits=data["digits"],
            )
        except KeyError as error:
            raise FormatError(f"{where} is damaged: {error} is missing.") from None
        except (TypeError, ValueError, NodenetError) as error:
            raise FormatError(f"{where} is damaged: {str(error).rstrip('.')}.") from None
        sheet.rounded = data["rounded"]
        return sheet

    @classmethod
    def load(cls, path: Any) -> Worksheet:
        """Read ``worksheet.json`` (or the folder :meth:`save` wrote)."""
        target = Path(check_path(path, "Worksheet.load"))
        if target.is_dir():
            target = target / "worksheet.json"
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FormatError(f"{target}: no such worksheet; write one with worksheet(...).save(folder).") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FormatError(f"{target} cannot be read as a worksheet: {error}.") from None
        return cls.from_dict(data, where=str(target))

    def save(self, folder: Any) -> dict[str, Path]:
        """Write ``questions.<ext>``, ``key.<ext>``, ``answers.txt``, ``worksheet.json`` and the diagram.

        The diagram is ``network.svg`` (Markdown and HTML inline it or link
        it) or ``network.pdf`` for LaTeX.  Returns the paths by role.
        """
        directory = Path(check_path(folder, "Worksheet.save"))
        directory.mkdir(parents=True, exist_ok=True)
        extension = {"markdown": "md", "latex": "tex", "html": "html"}[self.format]
        paths = {
            "questions": directory / f"questions.{extension}",
            "key": directory / f"key.{extension}",
            "answers": directory / "answers.txt",
            "worksheet": directory / "worksheet.json",
        }
        paths["questions"].write_text(self.text("questions"), encoding="utf-8")
        paths["key"].write_text(self.key, encoding="utf-8")
        paths["answers"].write_text(self.answers_template(), encoding="utf-8")
        paths["worksheet"].write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        if self.format != "html":
            paths["diagram"] = render(
                self.diagram_network(), directory / ("network.pdf" if self.format == "latex" else "network.svg"), show="forward", decimals=2
            )
        return paths

    def diagram_network(self) -> Network:
        """A copy of the network with no signals: its diagram shows the givens (weights, biases), never an answer."""
        return cast(Network, from_dict(to_dict(self.network)))


def worksheet(
    net: Any = "chapter",
    x: Any = None,
    y: Any = None,
    *,
    ask: Any = "all",
    seed: Any = 0,
    format: str = "markdown",
    hand_friendly: bool = True,
    lr: float = 0.5,
    loss: str = "l2",
    digits: int = 4,
) -> Worksheet:
    """A backpropagation exercise by hand, with its answer key.

    Parameters
    ----------
    net : Network, str or list of int
        The network: ``"chapter"`` (3-2-1), ``"2-2-1"``, ``"skip"`` (2-2-1
        with a connection from ``I1`` straight to the output), layer sizes
        (``"2-3-1"``, ``[2, 3, 1]``: sigmoid hidden nodes, a linear output,
        at most 16 nodes), or a :class:`~nodenet.Network` of yours (copied;
        never changed).
    x, y : sequence of float, optional
        The sample and its target; drawn from ``seed`` when not given.
    ask : 'all', 'forward', 'backward', 'update', list, or int
        What to ask: every quantity, those of a phase, a list of phases and
        symbols (``["H4_in", "∂L/∂λ1,4", "new λ1,4"]``), or a number of
        quantities drawn with ``seed``.
    seed : int
        Same seed, same sheet.
    format : {'markdown', 'latex', 'html'}
        The format of ``str(sheet)``, ``sheet.key`` and the saved files.
    hand_friendly : bool
        Weights and biases with one decimal (a network of yours: rounded to
        two), inputs and targets with one; the key says so.
    lr : float
        The learning rate ``η`` of the update questions.
    loss : {'l2', 'cross_entropy'}
    digits : int
        Decimals of the answers (1 to 8); an answer within ``5·10^-digits``
        of the key is right.

    Returns
    -------
    Worksheet

    Examples
    --------
    >>> sheet = worksheet("chapter", seed=1, ask=["H4_in", "new λ1,4"])
    >>> [q.symbol for q in sheet.questions]
    ['H4_in', 'new λ1,4']
    >>> worksheet("9-9-9")
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: net='9-9-9' has 27 nodes; a worksheet by hand is for at most 16 (e.g. '3-2-1').
    """
    if format not in FORMATS:
        raise InvalidArgument(f"format must be one of {', '.join(FORMATS)}; got {format!r}.")
    if not isinstance(hand_friendly, bool):
        raise ArgumentTypeError(f"hand_friendly must be True or False; got {hand_friendly!r}.")
    check_int(digits, "digits", minimum=1, maximum=8)
    lr = check_number(lr, "lr (learning rate)")
    if not lr > 0:
        raise InvalidArgument(f"lr (learning rate) must be > 0; got {lr!r}.")
    if loss not in ("l2", "cross_entropy"):
        raise InvalidArgument(f"loss must be 'l2' or 'cross_entropy'; got {loss!r}.")
    check_int(seed, "seed (the same seed gives the same sheet)", minimum=0)
    rng = np.random.default_rng(seed)
    network = _copy(net, hand_friendly) if isinstance(net, Network) else _draw_network(net, rng, hand_friendly)
    places = 2 if isinstance(net, Network) else 1
    inputs = _given(x, len(network.inputs), "x", rng, places if hand_friendly else None, low=1)
    targets = _given(y, len(network.outputs), "y", rng, places if hand_friendly else None, low=0)
    return Worksheet(network, inputs, targets, lr=lr, loss=loss, ask=ask, digits=digits, format=format, seed=seed, rounded=hand_friendly)


def _given(values: Any, count: int, what: str, rng: np.random.Generator, places: int | None, low: int) -> list[float]:
    """The sample or target: given (checked, rounded to ``places`` when hand-friendly) or drawn in tenths."""
    if values is None:
        drawn = rng.integers(low, 10, size=count) / 10
        return [float(v) for v in drawn] if places is not None else [float(v) for v in rng.uniform(0, 1, size=count)]
    try:
        array = np.asarray(values, dtype=float).reshape(-1) if not isinstance(values, str) else None
    except (TypeError, ValueError):
        array = None
    if array is None or array.size != count or not np.isfinite(array).all():
        raise InvalidArgument(f"{what} must be {count} finite numbers, one per {'input' if what == 'x' else 'output'}; got {values!r}.")
    return [round(float(v), places) if places is not None else float(v) for v in array]
