"""The ``nodenet`` command: ``nodenet demo``, ``render``, ``explain``, ``exercise`` and ``mark``.

Exit codes: 0 on success, 1 when the work fails (missing or invalid model
file, bad values, Graphviz missing), 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from . import __version__, engine
from .errors import DISTRIBUTION, GraphvizNotFound, InvalidArgument, MissingDependency, NodenetError
from .explain import FORMATS as EXPLAIN_FORMATS
from .losses import LOSSES
from .render import FORMATS, SHOW

__all__ = ["main", "build_parser", "CHAPTER_X", "CHAPTER_Y"]

CHAPTER_X = (0.5, 0.2, 0.7)
CHAPTER_Y = (0.3,)
CHAPTER_SEED = 13
EXIT_FAILURE = 1


def _demo(args: argparse.Namespace) -> int:
    from .lab import export_html
    from .network import Network
    from .plotting import plot_history

    if args.epochs < 1 or not args.lr > 0:
        raise InvalidArgument(f"--epochs must be >= 1 and --lr > 0; got --epochs {args.epochs} --lr {args.lr}.")
    net = Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=CHAPTER_SEED)
    history = net.fit([CHAPTER_X], [CHAPTER_Y], epochs=args.epochs, lr=args.lr, progress=False)
    first, last = 0, int(history.recorded_epochs[-1])
    print(
        f"trained the chapter's 3-2-1 network (seed {CHAPTER_SEED}) on x={CHAPTER_X}, y={CHAPTER_Y[0]} "
        f"for {args.epochs} epochs with lr={args.lr}"
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    writers: list[tuple[Path, Callable[[Path], Any]]] = []
    for epoch in (first, last):
        snapshot = history.network_at(epoch)
        for kind in ("dot", "png", "svg"):
            writers.append((out / f"chapter-epoch-{epoch}.{kind}", _snapshot_writer(snapshot, epoch)))
    writers.append((out / "training.png", lambda path: plot_history(history, log_x=True).savefig(path, dpi=110)))
    writers.append((out / "training.html", lambda path: export_html(history, path)))
    for path, write in writers:
        try:
            write(path)
            print(f"wrote {path}")
        except (GraphvizNotFound, MissingDependency) as err:
            print(f"skipped {path}: {err}")
    prediction = float(history.predictions[-1][0])
    print(f"prediction at epoch {first}: {float(history.predictions[0][0]):.6f}; "
          f"final prediction {prediction:.6f} (target {CHAPTER_Y[0]})")
    return 0


def _snapshot_writer(snapshot: Any, epoch: int) -> Callable[[Path], Any]:
    return lambda path: snapshot.render(path, title=f"epoch {epoch}")


def _loaded(args: argparse.Namespace) -> Any:
    """The saved model of ``args.model`` after the passes that --input and --target ask for."""
    from .io import load

    net = load(args.model)
    if args.target is not None and args.input is None:
        raise InvalidArgument("--target needs --input: give the input values the targets belong to.")
    if args.input is not None:
        engine.forward(net, args.input)
        if args.target is not None:
            loss = engine.backward(net, args.target, loss=args.loss)
            print(f"loss {loss:.6g}")
    return net


def _render(args: argparse.Namespace) -> int:
    # every argument is checked before anything is computed or printed
    suffix = Path(args.output).suffix.lstrip(".").lower()
    suffix = "dot" if suffix == "gv" else suffix
    if args.format is not None and suffix in FORMATS and suffix != args.format:
        raise InvalidArgument(f"-o {args.output} is a .{suffix} file but --format is {args.format}; give one of them, or make them agree.")
    if args.precision is not None and not 1 <= args.precision <= 17:
        raise InvalidArgument(f"--precision must be 1 to 17 significant digits; got {args.precision}.")
    _check_digits(args)
    numbers = {"precision": args.precision or 3} if args.digits is None else {"decimals": args.digits}
    path = _loaded(args).render(args.output, format=args.format, show=args.show, **numbers)
    print(f"wrote {path}")
    return 0


def _check_digits(args: argparse.Namespace) -> None:
    if args.digits is not None and not 0 <= args.digits <= 17:
        raise InvalidArgument(f"--digits must be 0 to 17 decimals; got {args.digits}.")


def _explain(args: argparse.Namespace) -> int:
    _check_digits(args)
    print(_loaded(args).explain(args.node, format=args.format, digits=args.digits))
    return 0


def _exercise(args: argparse.Namespace) -> int:
    from .exercises import worksheet
    from .io import load

    net = load(args.net) if args.net.endswith(".json") else args.net
    ask = args.questions if args.questions is not None else (args.ask or ["all"])
    sheet = worksheet(net, args.input, args.target, ask=ask, seed=args.seed, format=args.format, hand_friendly=not args.exact,
                      lr=args.lr, digits=args.digits, loss=args.loss)
    paths = sheet.save(args.out)
    print(f"{len(sheet.questions)} questions on {args.net} (seed {args.seed}):")
    for role, path in paths.items():
        print(f"  {role:10} {path}")
    print(f"Mark a student's filled-in answers with: nodenet mark {paths['worksheet']} ANSWERS.txt")
    return 0


def _mark(args: argparse.Namespace) -> int:
    from .exercises import check

    print(check(args.sheet, args.answers))
    return 0


def _add_exercises(commands: Any) -> None:
    exercise = commands.add_parser(
        "exercise",
        help="write a backpropagation worksheet by hand and its answer key",
        description=(
            "Write a worksheet (diagram, givens, formulas, blanks), its answer key (each answer with its worked "
            "formula), a blank answers file and worksheet.json into --out. Same seed, same sheet."
        ),
    )
    exercise.add_argument("--net", default="chapter", metavar="NET",
                          help="chapter (3-2-1), 2-2-1, skip, layer sizes such as 2-3-1, or a MODEL.json (default chapter)")
    exercise.add_argument("--seed", type=int, default=0, help="draws the values (default 0)")
    what = exercise.add_mutually_exclusive_group()
    what.add_argument("--ask", nargs="+", metavar="WHAT", help="all, forward, backward, update or symbols such as H4_in (default all)")
    what.add_argument("--questions", type=int, metavar="N", help="ask N quantities drawn with --seed instead")
    exercise.add_argument("--loss", choices=("l2", "cross_entropy"), default="l2", help="(default l2; cross_entropy needs softmax outputs)")
    exercise.add_argument("--format", choices=("markdown", "latex", "html"), default="markdown", help="(default markdown)")
    exercise.add_argument("--lr", type=float, default=0.5, help="learning rate of the update questions (default 0.5)")
    exercise.add_argument("--digits", type=int, default=4, help="decimals of the answers (default 4)")
    exercise.add_argument("--exact", action="store_true", help="keep the values as drawn or given, not one or two decimals")
    exercise.add_argument("--input", type=float, nargs="+", metavar="V", help="the sample (default: drawn)")
    exercise.add_argument("--target", type=float, nargs="+", metavar="V", help="its target (default: drawn)")
    exercise.add_argument("-o", "--out", default="worksheet", metavar="DIR", help="output directory (default ./worksheet)")
    exercise.set_defaults(run=_exercise)
    mark = commands.add_parser(
        "mark",
        help="mark a student's answers to a worksheet and name the mistakes",
        description="Mark the answers in ANSWERS (a filled-in answers.txt) against SHEET (worksheet.json or its folder).",
    )
    mark.add_argument("sheet", metavar="SHEET", help="the worksheet.json that nodenet exercise wrote (or its folder)")
    mark.add_argument("answers", metavar="ANSWERS", help="the filled-in answers file")
    mark.set_defaults(run=_mark)


def _add_passes(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("model", metavar="MODEL.json", help="a model file written by nodenet.save")
    parser.add_argument("--input", type=float, nargs="+", metavar="V", required=required, help="one value per input node")
    parser.add_argument("--target", type=float, nargs="+", metavar="V", required=required, help="one value per output node")
    parser.add_argument("--loss", choices=sorted(LOSSES), default="l2", help="loss for --target (default l2)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nodenet`` command.

    >>> build_parser().parse_args(["render", "net.json", "-o", "net.svg", "--input", "1", "0.5"]).input
    [1.0, 0.5]
    """
    parser = argparse.ArgumentParser(
        prog="nodenet",
        description="Feed-forward networks as explicit objects: train the chapter's example, draw saved models.",
        epilog="Exit codes: 0 success, 1 failure (missing or invalid file, bad values), 2 bad command line.",
    )
    parser.add_argument("--version", action="version", version=f"nodenet {__version__} (installed as {DISTRIBUTION})")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="train the chapter's 3-2-1 example and write its pictures",
        description=(
            "Train the chapter's 3-2-1 network (seed 13) on x=(0.5, 0.2, 0.7), y=0.3 and write the annotated "
            "diagrams of the first and last epochs (DOT, PNG, SVG), the training plots (PNG) and the lab page "
            "(training.html) into --out."
        ),
    )
    demo.add_argument("--out", default="nodenet-demo", metavar="DIR", help="output directory (default ./nodenet-demo)")
    demo.add_argument("--epochs", type=int, default=1000, help="training epochs (default 1000)")
    demo.add_argument("--lr", type=float, default=0.2, help="learning rate (default 0.2)")
    demo.set_defaults(run=_demo)
    render = commands.add_parser(
        "render",
        help="draw a saved model as an annotated diagram",
        description=(
            "Draw a model saved with nodenet.save as PNG, SVG, PDF or DOT, optionally after a forward pass on "
            "--input and a backward pass against --target, so the diagram shows signals and derivatives."
        ),
    )
    _add_passes(render, required=False)
    render.add_argument("-o", "--output", required=True, metavar="OUT", help="output file: .png, .svg, .pdf or .dot")
    render.add_argument("--format", choices=FORMATS, help="output format (default: from the suffix of OUT)")
    render.add_argument("--show", choices=SHOW, default="all", help="what to annotate (default all)")
    numbers = render.add_mutually_exclusive_group()
    numbers.add_argument("--digits", type=int, metavar="N", help="decimals of every number, as explain --digits")
    numbers.add_argument("--precision", type=int, metavar="N", help="significant digits of every number (default 3)")
    render.set_defaults(run=_render)
    explain = commands.add_parser(
        "explain",
        help="print the chapter's formulas with the numbers for a saved model",
        description=(
            "Run a forward pass on --input and a backward pass against --target through a model saved with "
            "nodenet.save, then print each formula of the walkthrough with its numbers: for NODE, or for "
            "every node in order."
        ),
    )
    _add_passes(explain, required=True)
    explain.add_argument("node", nargs="?", metavar="NODE", help="the node to explain (default: every node)")
    explain.add_argument("--format", choices=EXPLAIN_FORMATS, default="text", help="output format (default text)")
    explain.add_argument("--digits", type=int, default=4, help="decimals of the numbers (default 4)")
    explain.set_defaults(run=_explain)
    _add_exercises(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    >>> import nodenet, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nodenet.save(nodenet.Network.from_layers([3, 2, 1], seed=13), folder / "net.json")
    >>> main(["render", str(folder / "net.json"), "-o", str(folder / "net.dot"), "--input", "0.5", "0.2", "0.7",
    ...       "--target", "0.3"])
    loss 0.0201771
    wrote .../net.dot
    0
    >>> main(["explain", str(folder / "net.json"), "O6", "--input", "0.5", "0.2", "0.7", "--target", "0.3"])
    loss 0.0201771
    O6 (output, identity)
    O6_in = λ4,6·H4 + λ5,6·H5 + b6 = (0.1542)(0.6065) + (0.3897)(0.6110) + (-0.2325) = 0.0991
    ...
    0
    >>> main(["render", str(folder / "missing.json"), "-o", "net.png"])
    1
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader left (nodenet demo | head -2): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit would fail again
        return EXIT_FAILURE
    except FileNotFoundError as err:
        print(f"nodenet: error: no such file or directory: {err.filename}", file=sys.stderr)
    except (NodenetError, OSError) as err:
        print(f"nodenet: error: {err}", file=sys.stderr)
    return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
