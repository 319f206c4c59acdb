"""The example scripts run and print the chapter's walkthrough."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_walkthrough_prints_every_formula_of_epoch_0():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "walkthrough.py")],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    lines = run.stdout.splitlines()
    assert "Loss L = ½ (O6 − y6)² = 0.0202" in lines
    assert "H4 = σ(H4_in) = σ(0.4326) = 0.6065" in lines
    assert "∂L/∂O6_in = 1·∂L/∂O6 = (1)(-0.2009) = -0.2009" in lines
    assert lines[-1] == "∂L/∂I1 = λ1,4·∂L/∂H4_in + λ1,5·∂L/∂H5_in = (0.3207)(-0.0074) + (0.5378)(-0.0186) = -0.0124"
    assert sum(line.startswith("∂L/∂λ") for line in lines) == 8  # every weight
    assert sum(line.endswith(": forward") for line in lines) == sum(line.endswith(": backward") for line in lines) == 6
