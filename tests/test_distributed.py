"""The scale-out example: DDP on 2 CPU processes, imported back, equals one process and nodenet's own fit."""

import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import nodenet
from nodenet.parameters import Parameters

pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'nodenet-lab[torch]')")

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "distributed.py"


def run(*args, cwd):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("distributed")
    run("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(EXAMPLE), "--out", "ddp", cwd=root)
    run(str(EXAMPLE), "--single", "--out", "single", cwd=root)
    return root


def test_two_processes_equal_one(runs):
    ddp, single = (nodenet.load(runs / name / "trained.json") for name in ("ddp", "single"))
    np.testing.assert_allclose(Parameters(ddp).values, Parameters(single).values, rtol=1e-10, atol=1e-10)


def test_the_imported_run_equals_nodenets_own_training(runs):
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import distributed
    finally:
        sys.path.pop(0)
    X, y = distributed.data()
    net = distributed.network()
    history = net.fit(X, y, epochs=distributed.EPOCHS, optimizer=nodenet.SGD(lr=distributed.LR, momentum=distributed.MOMENTUM))
    ddp = nodenet.load(runs / "ddp" / "trained.json")
    np.testing.assert_allclose(Parameters(ddp).values, Parameters(net).values, rtol=1e-10, atol=1e-10)
    assert len(list((runs / "ddp").glob("checkpoint-*.pt"))) == distributed.EPOCHS + 1
    assert history.epochs_run == distributed.EPOCHS
    if shutil.which("dot"):
        assert (runs / "ddp" / "training.html").stat().st_size > 1000 and (runs / "ddp" / "trained.svg").exists()
