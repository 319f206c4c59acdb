"""Model files from other people: validated, never executed, never half-written; links written through."""

import json
import os
import re

import pytest

import nodenet
from nodenet.activations import ACTIVATIONS, Activation
from nodenet.errors import ArgumentTypeError, FormatError

from hardening import chapter, saved


def written(tmp_path, text, name="model.json"):
    path = tmp_path / name
    path.write_text(text) if isinstance(text, str) else path.write_bytes(text)
    return path


HOSTILE = [
    # (id, file text, message fragment)
    ("deeply nested arrays", "[" * 100000 + "]" * 100000, "nested too deeply"),
    ("deeply nested objects", '{"a":' * 50000 + "1" + "}" * 50000, "nested too deeply"),
    ("NaN weight", '{"format": "nodenet", "version": 1, "network": {"nodes": [], "edges": []}, "x": NaN}', "not a finite number"),
    ("not UTF-8", b"\xff\xfe\x00", "not a text (UTF-8) file"),
    ("truncated", '{"format": "nodenet", "vers', "not valid JSON"),
    ("python code", "__import__('os').system('echo pwned')", "not valid JSON"),
    ("pickle bytes", b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00\x8c\x01x\x94.", "not a text (UTF-8) file"),
]


@pytest.mark.parametrize(("label", "text", "fragment"), HOSTILE, ids=[row[0] for row in HOSTILE])
def test_hostile_files_are_refused_with_a_format_error(tmp_path, label, text, fragment):
    path = written(tmp_path, text)
    with pytest.raises(FormatError, match=re.escape(fragment)):
        nodenet.load(path)
    assert sorted(os.listdir(tmp_path)) == ["model.json"]  # nothing written beside it


def test_saving_through_a_symbolic_link_replaces_the_file_it_names(tmp_path):
    target = tmp_path / "models" / "real.json"
    target.parent.mkdir()
    nodenet.save(chapter(), target)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    trained = chapter()
    trained.connection("I1", "H4").weight = 0.75
    nodenet.save(trained, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert saved(nodenet.load(target)) == saved(trained)


def test_a_failed_save_leaves_the_old_file_untouched(tmp_path):
    path = tmp_path / "net.json"
    nodenet.save(chapter(), path)
    before = path.read_bytes()

    class Weird(Activation):
        name = "weird"

        def __init__(self, scale):
            self.scale = scale

        def value(self, pre):
            return self.scale * pre

        def derivative(self, pre, post):
            return self.scale

    net = chapter()
    net["H4"].activation = Weird(3.0)
    with pytest.raises(FormatError, match=r"Cannot save node 'H4': its activation .* has options that its to_spec\(\)"):
        nodenet.save(net, path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["net.json"]


def test_an_unregistered_custom_activation_is_refused_at_save_and_a_registered_one_round_trips(tmp_path):
    class Cube(Activation):
        name = "cube"

        def value(self, pre):
            return pre ** 3

        def derivative(self, pre, post):
            return 3 * pre ** 2

    net = chapter()
    net["H4"].activation = Cube()
    with pytest.raises(FormatError, match="register the class with nodenet.register_activation|Register the class"):
        nodenet.save(net, tmp_path / "cube.json")
    nodenet.register_activation(Cube)
    try:
        nodenet.save(net, tmp_path / "cube.json")
        loaded = nodenet.load(tmp_path / "cube.json")
        assert type(loaded["H4"].activation_function) is Cube
        assert loaded.forward([0.5, 0.2, 0.7]).tolist() == net.forward([0.5, 0.2, 0.7]).tolist()
    finally:
        del ACTIVATIONS["cube"]


@pytest.mark.parametrize("path", [None, 3, b"net.json", ["net.json"]], ids=["None", "int", "bytes", "list"])
def test_paths_that_are_not_paths_are_refused_before_anything_is_written(tmp_path, path):
    os.chdir(tmp_path)
    with pytest.raises(ArgumentTypeError, match="needs a file path"):
        nodenet.save(chapter(), path)
    with pytest.raises(ArgumentTypeError, match="needs a file path"):
        nodenet.load(path)
    assert os.listdir(tmp_path) == []


def test_a_valid_file_names_its_problem(tmp_path):
    data = json.loads(saved(chapter()))
    data["network"]["edges"].append({"source": "O6", "target": "H4", "weight": 1.0})
    with pytest.raises(FormatError, match=r"edge 8 \('O6' -> 'H4'\): Connecting 'O6' -> 'H4' would close the cycle"):
        nodenet.load(written(tmp_path, json.dumps(data)))
