"""The scripts in examples/ run on their own and reach sensible results."""

import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("sklearn")

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chapter_example_converges_to_the_target(capsys):
    result = example("chapter").main(1000)
    assert result["prediction"] == pytest.approx(0.3, abs=1e-6)
    out = capsys.readouterr().out
    assert "epoch     1: prediction 0.169833" in out and "final prediction 0.300000" in out


def test_classification_example_learns_the_wines():
    result = example("classification").main(40, verbose=False)
    assert result["accuracy"] >= 0.85


def test_regression_example_explains_some_variance():
    result = example("regression").main(40, verbose=False)
    assert 0.1 < result["r2"] < 1.0


@pytest.mark.parametrize("name, expected", [
    ("chapter", "final prediction"), ("classification", "test accuracy"), ("regression", "test R²"),
])
def test_examples_run_as_scripts(name, expected):
    env = {**os.environ, "NODENET_EPOCHS": "2", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_worksheet_example_writes_sheets_keys_and_pdfs_when_latex_is_there(tmp_path, capsys):
    module = example("worksheet")
    result = module.main(str(tmp_path))
    for name in ("chapter", "skip"):
        for part in ("questions.md", "key.md", "network.svg", "answers.txt", "worksheet.json", "latex/key.tex"):
            assert (tmp_path / name / part).stat().st_size > 0
    assert "# Backpropagation by hand: answer key" in (tmp_path / "chapter" / "key.md").read_text(encoding="utf-8")
    assert [slip.kind for slip in result["marking"].slips] == ["derivative"]
    out = capsys.readouterr().out
    if module.latex_engine() is None:
        assert "the PDFs are skipped" in out and result["pdfs"] == []
    else:
        assert sorted(p.name for p in result["pdfs"]) == ["key.pdf", "key.pdf", "questions.pdf", "questions.pdf"]
        assert all(p.read_bytes().startswith(b"%PDF") for p in result["pdfs"])
