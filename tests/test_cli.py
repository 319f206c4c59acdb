"""The ``nodenet`` command: demo, render, help, messages and exit codes."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nodenet
from nodenet.cli import main

ROOT = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed (apt-get install graphviz)")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "chapter.json"
    nodenet.save(nodenet.Network.from_layers([3, 2, 1], seed=13), path)
    return path


@pytest.mark.dot
@needs_dot
def test_demo_writes_snapshots_plots_and_viewer(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install 'nodenet-lab[plot]')")
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "30"]) == 0
    printed = capsys.readouterr().out.splitlines()
    names = ["chapter-epoch-0.dot", "chapter-epoch-0.png", "chapter-epoch-0.svg", "chapter-epoch-30.dot",
             "chapter-epoch-30.png", "chapter-epoch-30.svg", "training.png", "training.html"]
    assert printed[1:-1] == [f"wrote {out / name}" for name in names]
    assert sorted(path.name for path in out.iterdir()) == sorted(names)
    assert (out / "chapter-epoch-0.png").read_bytes().startswith(PNG)
    assert (out / "training.png").read_bytes().startswith(PNG)
    assert (out / "chapter-epoch-0.svg").read_text().lstrip().startswith("<?xml")
    assert "epoch 30" in (out / "chapter-epoch-30.dot").read_text()
    assert "H4_in = 0.43" in (out / "chapter-epoch-0.dot").read_text()
    assert (out / "training.html").read_text().startswith("<!DOCTYPE html>")
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    final = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=30, lr=0.2).predictions[-1][0]
    assert printed[-1] == f"prediction at epoch 0: 0.099116; final prediction {final:.6f} (target 0.3)"


def test_demo_without_graphviz_writes_dot_and_says_what_it_skipped(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "2"]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out / 'chapter-epoch-0.dot'}" in printed
    assert f"skipped {out / 'chapter-epoch-0.png'}: Drawing a PNG file needs the Graphviz 'dot' program" in printed
    assert "apt-get install graphviz" in printed
    assert (out / "chapter-epoch-2.dot").exists() and not (out / "training.html").exists()


def test_demo_rejects_bad_numbers(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--epochs", "0"]) == 1
    assert capsys.readouterr().err == "nodenet: error: --epochs must be >= 1 and --lr > 0; got --epochs 0 --lr 0.2.\n"


def test_render_after_forward_and_backward_writes_annotated_dot(model, tmp_path, capsys):
    out = tmp_path / "net.dot"
    code = main(["render", str(model), "-o", str(out), "--input", "0.5", "0.2", "0.7", "--target", "0.3"])
    assert code == 0
    assert capsys.readouterr().out == f"loss 0.0201771\nwrote {out}\n"
    text = out.read_text()
    assert "H4_in = 0.433" in text and "∂L/∂H4_in = -0.00739" in text and "λ1,4 = 0.321" in text


def test_render_options_show_precision_and_format(model, tmp_path):
    out = tmp_path / "picture.txt"
    assert main(["render", str(model), "-o", str(out), "--format", "dot", "--input", "0.5", "0.2", "0.7",
                 "--show", "forward", "--precision", "5"]) == 0
    text = out.read_text()
    assert "H4_in = 0.43264" in text and "∂L/∂" not in text


@pytest.mark.dot
@needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [("png", PNG), ("svg", b"<?xml"), ("pdf", b"%PDF-")])
def test_render_draws_real_files(model, tmp_path, suffix, magic):
    out = tmp_path / f"net.{suffix}"
    assert main(["render", str(model), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-o", "{tmp}/net.jpg"], "Cannot draw the suffix of '{tmp}/net.jpg': the formats are png, svg, pdf, dot"),
        (["-o", "{tmp}/n.dot", "--target", "1"], "--target needs --input"),
        (["-o", "{tmp}/n.dot", "--input", "1", "2"], "Expected inputs of shape (3,)"),
        (["-o", "{tmp}/n.dot", "--input", "1", "2", "3", "--target", "1", "2"], "Expected targets of shape (1,)"),
        (["-o", "{tmp}/missing/n.dot"], "no such file or directory: {tmp}/missing/n.dot"),
    ],
)
def test_render_failures_exit_1_with_a_message(model, tmp_path, capsys, arguments, message):
    arguments = [argument.format(tmp=tmp_path) for argument in arguments]
    assert main(["render", str(model), *arguments]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nodenet: error: ") and message.format(tmp=tmp_path) in err


def test_render_missing_and_invalid_model_files(tmp_path, capsys):
    assert main(["render", str(tmp_path / "nope.json"), "-o", str(tmp_path / "n.dot")]) == 1
    assert capsys.readouterr().err == f"nodenet: error: no such file or directory: {tmp_path / 'nope.json'}\n"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["render", str(bad), "-o", str(tmp_path / "n.dot")]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "n.dot").exists()


@pytest.mark.parametrize(
    "arguments",
    [["render", "m.json"], ["render", "m.json", "-o", "x.png", "--show", "most"], ["draw"], ["demo", "--epochs", "x"]],
)
def test_bad_command_lines_exit_2(arguments, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_help_everywhere():
    for arguments in (["--help"], ["demo", "--help"], ["render", "--help"]):
        result = subprocess.run([sys.executable, "-m", "nodenet.cli", *arguments], cwd=ROOT, capture_output=True,
                                text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("usage: nodenet")
    assert "demo" in result.stdout or "MODEL.json" in result.stdout


def test_explain_prints_every_node_of_the_walkthrough(model, capsys):
    assert main(["explain", str(model), "--input", "0.5", "0.2", "0.7", "--target", "0.3"]) == 0
    out = capsys.readouterr().out
    headers = [line.split(" (")[0] + line.split(":")[1] for line in out.splitlines() if line.endswith(("forward", "backward"))]
    forward = ["I1", "I2", "I3", "H4", "H5", "O6"]
    assert headers == [f"{name} forward" for name in forward] + [f"{name} backward" for name in reversed(forward)]
    assert "H4_in = λ1,4·I1 + λ2,4·I2 + λ3,4·I3 + b4 = (0.3207)(0.5000)" in out
    assert "∂L/∂H4_in = (1 − H4)·H4·∂L/∂H4 = (1 − 0.6065)(0.6065)(-0.0310) = -0.0074" in out


def test_explain_names_an_unknown_node_and_needs_both_passes(model, capsys):
    assert main(["explain", str(model), "H9", "--input", "0.5", "0.2", "0.7", "--target", "0.3"]) == 1
    assert "Node 'H9' not found; known nodes: I1, I2, I3, H4, H5, O6." in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["explain", str(model), "--input", "0.5", "0.2", "0.7"])
    assert info.value.code == 2
    assert "--target" in capsys.readouterr().err


def test_version_names_the_distribution(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"nodenet {nodenet.__version__} (installed as nodenet-lab)"


def test_a_closed_pipe_ends_the_demo_quietly(tmp_path):
    script = f"import sys; from nodenet.cli import main; sys.exit(main(['demo', '--out', {str(tmp_path)!r}, '--epochs', '5']))"
    result = subprocess.run(f'"{sys.executable}" -c "{script}" | head -1', shell=True, capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith("trained the chapter's 3-2-1 network")
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr


def test_render_refuses_a_suffix_that_contradicts_the_format_before_any_output(tmp_path, capsys):
    model = tmp_path / "net.json"
    nodenet.save(nodenet.Network.from_layers([3, 2, 1], seed=13), model)
    args = ["render", str(model), "-o", str(tmp_path / "x.png"), "--format", "svg", "--input", "0.5", "0.2", "0.7", "--target", "0.3"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # not even the loss: arguments are checked first
    assert "x.png is a .png file but --format is svg" in captured.err
    assert not (tmp_path / "x.png").exists()


def test_render_digits_are_explains_digits(tmp_path, capsys):
    model = tmp_path / "net.json"
    nodenet.save(nodenet.Network.from_layers([3, 2, 1], seed=13), model)
    passes = ["--input", "0.5", "0.2", "0.7", "--target", "0.3"]
    assert main(["render", str(model), "-o", str(tmp_path / "net.dot"), "--digits", "4", *passes]) == 0
    assert main(["explain", str(model), "O6", "--digits", "4", *passes]) == 0
    dot = (tmp_path / "net.dot").read_text()
    assert "O6 = 0.0991" in dot and "O6 = O6_in = 0.0991" in capsys.readouterr().out
    assert main(["render", str(model), "-o", str(tmp_path / "y.dot"), "--digits", "-1", *passes]) == 1
    assert main(["explain", str(model), "--digits", "18", *passes]) == 1


def test_exercise_writes_a_sheet_and_mark_marks_a_filled_in_answers_file(tmp_path, capsys):
    assert main(["exercise", "--net", "skip", "--seed", "2", "--ask", "forward", "-o", str(tmp_path / "sheet")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("6 questions on skip (seed 2):") and "nodenet mark " in out
    sheet = nodenet.exercises.Worksheet.load(tmp_path / "sheet")
    lines = (tmp_path / "sheet" / "answers.txt").read_text(encoding="utf-8").splitlines()
    filled = [lines[0]] + [f"{line}{q.answer:.4f}" for line, q in zip(lines[1:], sheet.questions)]
    (tmp_path / "alice.txt").write_text("\n".join(filled[:-1]) + "\n", encoding="utf-8")
    assert main(["mark", str(tmp_path / "sheet" / "worksheet.json"), str(tmp_path / "alice.txt")]) == 0
    report = capsys.readouterr().out
    assert report.startswith("5 of 6 right") and "6. O5: not answered; the answer is" in report
    assert main(["exercise", "--net", "10-10", "-o", str(tmp_path / "big")]) == 1
    assert "a worksheet by hand is for at most 16" in capsys.readouterr().err
