"""Doctests that need Graphviz's ``dot`` or an optional extra (matplotlib, torch, onnx, scikit-learn): mark them, skip them without."""

import importlib.util
import re
import shutil

import pytest
from _pytest.doctest import DoctestItem

NEEDS = [
    # (what a doctest calls, marker or None, whether it is missing, skip reason)
    (re.compile(r"\b(render|to_svg|notebook_svg|export_html)\(|_repr_svg_\("), "dot",
     shutil.which("dot") is None, "Graphviz 'dot' is not installed (apt-get install graphviz)"),
    (re.compile(r"\bplot_history\("), None,
     importlib.util.find_spec("matplotlib") is None, "matplotlib is not installed (pip install 'nodenet-lab[plot]')"),
    (re.compile(r"\b(to_torch|from_torch|torch_loss|from_checkpoints)\(|import torch"), None,
     importlib.util.find_spec("torch") is None, "PyTorch is not installed (pip install 'nodenet-lab[torch]')"),
    (re.compile(r"\b(to_onnx|from_onnx)\(|onnxruntime"), None,
     importlib.util.find_spec("onnxruntime") is None, "onnx is not installed (pip install 'nodenet-lab[onnx]')"),
    (re.compile(r"sklearn"), None,
     importlib.util.find_spec("sklearn") is None, "scikit-learn is not installed (pip install 'nodenet-lab[sklearn]')"),
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not isinstance(item, DoctestItem):
            continue
        for calls, marker, missing, reason in NEEDS:
            if any(calls.search(example.source) for example in item.dtest.examples):
                if marker:
                    item.add_marker(getattr(pytest.mark, marker))
                if missing:
                    item.add_marker(pytest.mark.skip(reason=reason))
