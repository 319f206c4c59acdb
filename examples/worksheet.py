"""A classroom set: worksheets and answer keys for two networks, marked answers, and PDFs through LaTeX.

Writes, under ``worksheets/`` (or the folder given as the first argument):

- ``chapter/``: the chapter's 3-2-1 network with hand-friendly values;
- ``skip/``: a 2-2-1 network with a connection from I1 straight to the output;

each with ``questions.md``, ``key.md``, ``network.svg``, a blank ``answers.txt`` and
``worksheet.json``, then the same sheet as LaTeX (``latex/questions.tex``, ``latex/key.tex``),
turned into PDFs when a LaTeX engine (pdflatex, lualatex or xelatex) is on the PATH; without one
the PDFs are skipped and the script says so.  Last, it marks a made-up student who made the
mistake of writing a sigmoid factor at the skip network's linear output.

Run: ``python examples/worksheet.py [FOLDER]``
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from nodenet.exercises import Slip, check, worksheet
from nodenet.exercises.hand import hand_values

ENGINES = ("pdflatex", "lualatex", "xelatex")


def latex_engine() -> str | None:
    """The first LaTeX engine on the PATH, or None."""
    return next((engine for engine in ENGINES if shutil.which(engine)), None)


def make_pdfs(folder: Path) -> list[Path]:
    """Run LaTeX on the ``.tex`` files in ``folder``; returns the PDFs made (none without an engine)."""
    engine = latex_engine()
    if engine is None:
        print(f"no LaTeX engine ({', '.join(ENGINES)}) on the PATH: the PDFs are skipped")
        return []
    made = []
    for tex in sorted(folder.glob("*.tex")):
        run = subprocess.run(
            [engine, "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=folder, capture_output=True, text=True, timeout=120
        )
        if run.returncode != 0:
            raise RuntimeError(f"{engine} failed on {tex}:\n{run.stdout[-2000:]}")
        made.append(tex.with_suffix(".pdf"))
        for leftover in (".aux", ".log"):
            tex.with_suffix(leftover).unlink(missing_ok=True)
    return made


def main(out: str = "worksheets") -> dict:
    root = Path(out)
    sheets = {"chapter": worksheet("chapter", seed=4, lr=0.5), "skip": worksheet("skip", seed=2, lr=0.5)}
    pdfs = []
    for name, sheet in sheets.items():
        sheet.save(root / name)
        latex = worksheet(sheet.network, sheet.inputs, sheet.targets, seed=sheet.seed, lr=sheet.lr, format="latex")
        latex.save(root / name / "latex")
        pdfs += make_pdfs(root / name / "latex")
        print(f"{name}: {len(sheet.questions)} questions in {root / name}")

    # a student who wrote a sigmoid factor at the linear output of the skip network
    sheet = sheets["skip"]
    output = sheet.network.outputs[0].name
    values = hand_values(sheet.network, sheet.inputs, sheet.targets, lr=sheet.lr, slips=[Slip("derivative", node=output, other="sigmoid")])
    answers = {q.number: round(values[q.quantity], sheet.digits) for q in sheet.questions}
    marking = check(sheet, answers)
    print(str(marking).splitlines()[0])
    print(str(marking).splitlines()[1])
    return {"sheets": sheets, "marking": marking, "pdfs": pdfs}


if __name__ == "__main__":
    main(*sys.argv[1:2])
