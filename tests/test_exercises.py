"""Worksheets and their keys against nodenet's own numbers; check() names each planted mistake."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nodenet
from nodenet.exercises import MISTAKES, Slip, Worksheet, check, worksheet
from nodenet.exercises.hand import Quantity, hand_values
from nodenet.optimizers import SGD
from nodenet.testing import inputs_for, networks, targets_for


def nodenet_value(net, quantity, x, y, lr, loss):
    """The quantity as nodenet computes it, on a fresh copy: the caches, or one SGD step."""
    copy = nodenet.io.from_dict(nodenet.io.to_dict(net))
    copy.forward(x)
    copy.backward(y, loss=loss)
    kind, name, source = quantity
    if kind.startswith("new"):
        SGD(lr=lr).update(copy)
        return copy.connection(source, name).weight if kind == "new_weight" else copy[name].bias
    if kind == "grad_weight":
        return copy.connection(source, name).grad_weight
    return getattr(copy[name], kind)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_every_answer_of_the_key_is_nodenet_s_own_value_at_the_stated_rounding(data):
    softmax = data.draw(st.booleans(), label="softmax")
    net = data.draw(networks(max_inputs=3, max_hidden=3, max_outputs=2, softmax=softmax), label="net")
    loss = "cross_entropy" if softmax else "l2"
    x = data.draw(inputs_for(net))
    y = data.draw(targets_for(net, one_hot=softmax))
    seed = data.draw(st.integers(0, 2**16), label="seed")
    digits = data.draw(st.integers(2, 6), label="digits")
    sheet = worksheet(net, x, y, seed=seed, hand_friendly=data.draw(st.booleans()), lr=0.25, loss=loss, digits=digits)
    copy = sheet.network
    for question in sheet.questions:
        expected = nodenet_value(copy, question.quantity, sheet.inputs, sheet.targets, 0.25, loss)
        assert question.answer == expected, question.symbol
        assert question.worked.endswith(f" = {expected:.{digits}f}") or question.worked.endswith(f"{expected:.{digits}f}"), question.worked
    # the model of the student, with no mistake, is nodenet bit for bit
    by_hand = hand_values(copy, sheet.inputs, sheet.targets, lr=0.25, loss=loss)
    assert all(by_hand[q.quantity] == q.answer for q in sheet.questions)
    # answers rounded as the key states are all right
    assert check(sheet, {q.number: round(q.answer, digits) for q in sheet.questions}).score == (len(sheet.questions),) * 2


def test_the_same_seed_gives_the_same_sheet_and_another_seed_another():
    assert worksheet("chapter", seed=11).key == worksheet("chapter", seed=11).key
    assert worksheet("chapter", seed=11).key != worksheet("chapter", seed=12).key
    picked = worksheet("skip", seed=3, ask=5)
    assert [q.symbol for q in picked.questions] == [q.symbol for q in worksheet("skip", seed=3, ask=5).questions]
    assert len(picked.questions) == 5


def test_hand_friendly_values_have_one_decimal_and_the_sheet_says_so():
    sheet = worksheet("chapter", seed=8)
    values = [c.weight for c in sheet.network.connections] + [n.bias for n in sheet.network.nodes if n.kind != "input"]
    values += sheet.inputs + sheet.targets
    assert all(round(v, 1) == v for v in values)
    assert "one or two decimals" in str(sheet)
    assert "within ±0.0005 of the key is right" in str(sheet) and "rounds each answer to 4 decimals" in sheet.key


def plant(sheet, slips):
    """The answers of a student who made ``slips``, rounded as the sheet asks."""
    values = hand_values(sheet.network, sheet.inputs, sheet.targets, lr=sheet.lr, loss=sheet.loss, slips=slips)
    return {q.number: round(values[q.quantity], sheet.digits) for q in sheet.questions}, values


PLANTED = [
    ("chapter", Slip("update_sign")),
    ("chapter", Slip("update_sign", node="H5", source="I2", where="weight")),
    ("chapter", Slip("learning_rate")),
    ("chapter", Slip("loss_sign")),
    ("chapter", Slip("no_bias", node="H4")),
    ("skip", Slip("no_bias")),
    ("chapter", Slip("derivative", node="O6", other="sigmoid")),
    ("chapter", Slip("derivative", node="H4", other="H5")),
    ("skip", Slip("derivative", node="H3", other="none")),
    ("chapter", Slip("missing_path", node="I1", other="H4")),
    ("skip", Slip("missing_path", node="I1", other="O5")),
    ("chapter", Slip("pre_for_post", where="gradient")),
    ("skip", Slip("pre_for_post", where="forward")),
    ("chapter", Slip("wrong_weight", node="H5", source="I2", other="I1->H5", where="forward")),
]


@pytest.mark.parametrize("net, slip", PLANTED, ids=[f"{net}-{slip.kind}-{slip.node}-{slip.other}" for net, slip in PLANTED])
def test_check_names_the_planted_mistake_and_no_other_and_marks_the_rest_right(net, slip):
    sheet = worksheet(net, seed=4, lr=0.5)
    answers, values = plant(sheet, [slip])
    marking = check(sheet, answers)
    assert marking.slips == [slip]
    affected = [q for q in sheet.questions if abs(values[q.quantity] - q.answer) > sheet.tolerance]
    assert affected, "the planted mistake must change some answer"
    for mark in marking.marks:
        if mark.question in affected:
            assert mark.status == "wrong" and mark.kinds == (slip.kind,), mark.question.symbol
            assert mark.diagnosis.startswith(MISTAKES_WORDS[slip.kind]), mark.diagnosis
            assert mark.given == answers[mark.question.number] and mark.expected == mark.question.answer
        else:
            assert mark.status == "right", mark.question.symbol
    assert marking.score == (len(sheet.questions) - len(affected), len(sheet.questions))


# how each diagnosis begins (the words of mistakes.describe)
MISTAKES_WORDS = {
    "update_sign": "the update",
    "learning_rate": "the learning rate η is left out",
    "loss_sign": "the loss derivative has the wrong sign",
    "no_bias": "the bias",
    "derivative": "",
    "missing_path": "the path through",
    "pre_for_post": "pre-activations are used where post-activations belong",
    "wrong_weight": "λ1,5 is used where λ2,5 belongs",
}


def test_every_kind_of_mistake_is_planted_somewhere():
    assert {slip.kind for _, slip in PLANTED} == set(MISTAKES)


def test_the_diagnosis_shows_the_formula_the_student_probably_used():
    sheet = worksheet("chapter", seed=4, lr=0.5)
    marking = check(sheet, plant(sheet, [Slip("derivative", node="O6", other="sigmoid")])[0])
    mark = marking["∂L/∂O6_in"]
    assert mark.formula.startswith("∂L/∂O6_in = (1 − O6)·O6·∂L/∂O6 = (")
    assert mark.diagnosis == "a sigmoid factor (1 − O6)·O6 at O6, whose activation (identity) has the derivative 1"
    downstream = marking["∂L/∂H4"]
    assert downstream.formula == "the right formula, with the wrong number carried from ∂L/∂O6_in"
    text = str(marking)
    assert "Mistakes found: a sigmoid factor" in text and "You probably computed: ∂L/∂O6_in = (1 − O6)·O6·∂L/∂O6" in text


CHAPTER_ERRATA = [  # DESIGN.md section 5: the chapter's text computes these
    (Slip("wrong_weight", node="H5", source="I3", other="I2->H5", where="forward"), "H5_in", "λ2,5 is used where λ3,5 belongs"),
    (Slip("derivative", node="O6", other="sigmoid"), "∂L/∂H4", "a sigmoid factor (1 − O6)·O6 at O6"),
    (Slip("wrong_weight", node="H4", source="I1", other="H4->O6", where="backward"), "∂L/∂I1", "λ4,6 is used where λ1,4 belongs"),
    (Slip("update_sign"), "new λ1,4", "the update adds the gradient step"),
]


def chapter_sheet():
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    return worksheet(net, [0.5, 0.2, 0.7], [0.3], hand_friendly=False, lr=0.2)


@pytest.mark.parametrize("slip, symbol, words", CHAPTER_ERRATA, ids=[e[1] for e in CHAPTER_ERRATA])
def test_answers_computed_as_the_chapter_s_text_does_are_diagnosed_with_its_mistake(slip, symbol, words):
    sheet = chapter_sheet()
    marking = check(sheet, plant(sheet, [slip])[0])
    assert marking.slips == [slip]
    assert marking[symbol].status == "wrong" and marking[symbol].diagnosis.startswith(words)


def test_the_chapter_s_errata_together_are_each_named():
    sheet = chapter_sheet()
    marking = check(sheet, plant(sheet, [slip for slip, _, _ in CHAPTER_ERRATA])[0])
    # with the sigmoid factor every gradient is 8 times smaller, and the wrong weight in ∂L/∂I1
    # then changes it by less than the tolerance: three of the four can be told apart
    assert set(marking.slips) == {CHAPTER_ERRATA[0][0], CHAPTER_ERRATA[1][0], CHAPTER_ERRATA[3][0]}


def test_an_error_carried_forward_is_named_with_the_answer_it_comes_from():
    sheet = worksheet("chapter", seed=4, lr=0.5)
    slipped = {Quantity("post", "H4"): round(sheet.questions[1].answer + 0.1, 4)}  # an arithmetic slip in H4
    values = hand_values(sheet.network, sheet.inputs, sheet.targets, lr=sheet.lr, given=slipped)
    answers = {q.number: round(values[q.quantity], 4) for q in sheet.questions}
    marking = check(sheet, answers)
    assert marking["H4"].status == "wrong" and "no known mistake explains" in marking["H4"].diagnosis
    assert marking["O6_in"].carried_from == ("H4",)
    assert "the error is carried forward" in marking["O6_in"].diagnosis
    assert marking["H4_in"].right and marking["H5"].right


def test_answers_by_symbol_number_and_ascii_spelling_and_what_is_not_an_answer():
    sheet = worksheet("chapter", seed=2, ask=["H4_in", "∂L/∂λ1,4", "new λ1,4", "new b6"])
    first, second, third, fourth = sheet.questions
    marking = check(sheet, {"H4_in": first.answer, "dL/dw1,4": f"{second.answer:.4f}", 3: "abc"})
    assert [m.status for m in marking.marks] == ["right", "right", "unreadable", "unanswered"]
    assert "'abc' is not a number" in str(marking) and "not answered; the answer is" in str(marking)
    with pytest.raises(nodenet.InvalidArgument, match=r"'H9' is no question of this sheet; use its number \(1 to 4\)"):
        check(sheet, {"H9": 1.0})
    with pytest.raises(nodenet.InvalidArgument, match=r"question 1 \(H4_in\) is answered twice"):
        check(sheet, {"H4_in": 1.0, 1: 2.0})
    with pytest.raises(nodenet.InvalidArgument, match=r"tolerance must be a finite number >= 0"):
        check(sheet, {}, tolerance=-1)


def test_a_saved_sheet_and_a_filled_in_answers_file_are_marked(tmp_path):
    sheet = worksheet("skip", seed=6, ask="backward")
    paths = sheet.save(tmp_path / "sheet")
    assert sorted(p.name for p in paths.values()) == ["answers.txt", "key.md", "network.svg", "questions.md", "worksheet.json"]
    assert Worksheet.load(tmp_path / "sheet") == sheet
    lines = paths["answers"].read_text(encoding="utf-8").splitlines()
    filled = [lines[0]] + [f"{line}{q.answer:.4f}" for line, q in zip(lines[1:], sheet.questions)]
    filled[2] = filled[2].rsplit("=", 1)[0] + "= −9.5"
    (tmp_path / "filled.txt").write_text("\n".join(filled) + "\n", encoding="utf-8")
    marking = check(tmp_path / "sheet" / "worksheet.json", tmp_path / "filled.txt")
    assert marking.score == (len(sheet.questions) - 1, len(sheet.questions))
    assert marking[2].given == -9.5
    (tmp_path / "bad.txt").write_text("1. H9 = 0.5\n", encoding="utf-8")
    with pytest.raises(nodenet.FormatError, match=r"bad.txt, line 1: question 1 is ∂L/∂O5, but '1. H9' names 'H9'"):
        check(sheet, tmp_path / "bad.txt")
    (tmp_path / "broken.json").write_text(json.dumps({"format": "nodenet-worksheet", "version": 1}), encoding="utf-8")
    with pytest.raises(nodenet.FormatError, match=r"broken.json is damaged"):
        check(tmp_path / "broken.json", {})
    with pytest.raises(nodenet.FormatError, match=r"no such worksheet"):
        check(tmp_path / "missing.json", {})


@pytest.mark.parametrize("format", ["markdown", "latex", "html"])
def test_sheets_show_hostile_names_literally_in_every_format(format):
    net = nodenet.Network()
    net.add_input("<img src=x onerror=alert(1)>")
    net.add_node("$\\evil{}%_*", activation="sigmoid", bias=0.1)
    net.add_output("out", activation="identity", bias=0.2)
    net.connect("<img src=x onerror=alert(1)>", "$\\evil{}%_*", weight=0.5)
    net.connect("$\\evil{}%_*", "out", weight=-0.4)
    sheet = worksheet(net, [0.3], [0.1], format=format)
    for text in (str(sheet), sheet.key):
        if format == "html":
            assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
        elif format == "markdown":
            assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
        else:
            assert "\\$\\textbackslash{}evil\\{\\}\\%\\_*" in text or "\\$\\textbackslash{}evil\\{\\}\\%\\_\\*" in text
            assert "\\evil{}" not in text.replace("\\textbackslash{}evil", "")


def test_bad_arguments_are_refused_with_what_to_do():
    with pytest.raises(nodenet.InvalidArgument, match=r"ask='H9' is neither 'all', a phase"):
        worksheet("chapter", ask="H9")
    with pytest.raises(nodenet.InvalidArgument, match=r"ask chose no question"):
        worksheet("chapter", ask=[])
    with pytest.raises(nodenet.InvalidArgument, match=r"ask=99 questions: this network has 1 to 37"):
        worksheet("chapter", ask=99)
    with pytest.raises(nodenet.InvalidArgument, match=r"format must be one of markdown, latex, html"):
        worksheet("chapter", format="pdf")
    with pytest.raises(nodenet.InvalidArgument, match=r"x must be 3 finite numbers, one per input"):
        worksheet("chapter", x=[1.0, np.nan, 0.0])
    with pytest.raises(nodenet.InvalidArgument, match=r"name one of chapter, 2-2-1, skip"):
        worksheet("tiny")
    with pytest.raises(nodenet.InvalidArgument, match=r"seed"):
        worksheet("chapter", seed=-1)


def test_two_mistakes_that_only_together_explain_the_answers_are_both_named():
    sheet = worksheet("chapter", seed=0, ask="update")
    answers, _ = plant(sheet, [Slip("update_sign"), Slip("learning_rate")])  # λ + ∂L/∂λ
    marking = check(sheet, answers)
    assert set(marking.slips) == {Slip("update_sign"), Slip("learning_rate")}
    assert all(set(mark.kinds) == {"update_sign", "learning_rate"} for mark in marking.wrong)


def test_a_filled_in_markdown_sheet_with_a_byte_order_mark_is_read(tmp_path):
    sheet = worksheet("chapter", seed=4)
    sheet.save(tmp_path)
    blank = "1\\. H4\\_in = \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_"
    text = (tmp_path / "questions.md").read_text(encoding="utf-8")
    assert blank in text
    filled = text.replace(blank, "1\\. H4\\_in = 0.8·0.4 + 0.9·0.9 + 0.9·0.1 + 0.4 = 1.62")
    (tmp_path / "alice.md").write_text("\ufeff" + filled, encoding="utf-8")
    marking = check(sheet, tmp_path / "alice.md")
    assert marking.score == (1, 37) and marking["H4_in"].given == 1.62
    (tmp_path / "latin1.txt").write_bytes("1. H4_in = 1,62 é\n".encode("latin-1"))
    with pytest.raises(nodenet.FormatError, match=r"is not UTF-8 text; save the answers file as UTF-8"):
        check(sheet, tmp_path / "latin1.txt")


def test_odd_keys_values_and_edited_sheets_are_refused_or_reported_never_a_bare_error(tmp_path):
    sheet = worksheet("chapter", seed=4, ask=["H4_in", "H4"])
    with pytest.raises(nodenet.InvalidArgument, match=r"question 1 is H4_in, but '1. H5' names 'H5'"):
        check(sheet, {"1. H5": 1.62})
    assert check(sheet, {np.int64(1): 10**400}).marks[0].status == "unreadable"
    with pytest.raises(nodenet.InvalidArgument, match=r"tolerance must be a finite number >= 0; got 'x'"):
        check(sheet, {}, tolerance="x")
    assert len(worksheet("chapter", ask=np.int64(3)).questions) == 3
    for ask in (3.0, {"H4"}):
        with pytest.raises(nodenet.InvalidArgument, match=r"ask must be 'all', a phase"):
            worksheet("chapter", ask=ask)
    with pytest.raises(nodenet.InvalidArgument, match=r"net=5: give a Network"):
        worksheet(5)
    sheet.save(tmp_path)
    data = json.loads((tmp_path / "worksheet.json").read_text(encoding="utf-8"))
    for key, value, words in (("digits", 0, "digits must be an int from 1 to 8"), ("rounded", "yes", "rounded must be true or false"),
                              ("format_of_sheet", "pdf", "format must be one of")):
        (tmp_path / "worksheet.json").write_text(json.dumps({**data, key: value}), encoding="utf-8")
        with pytest.raises(nodenet.FormatError, match=rf"worksheet.json is damaged: .*{words}"):
            check(tmp_path, {})


def test_symbols_that_read_alike_are_refused_by_symbol_and_accepted_by_number():
    net = nodenet.Network()
    net.add_input("x")
    net.add_node("H4", activation="sigmoid", bias=0.1)
    net.add_node("H4_in", activation="sigmoid", bias=0.2)  # its post reads like H4's pre
    net.add_output("y", bias=0.0)
    for source, target, weight in (("x", "H4", 0.5), ("H4", "H4_in", -0.4), ("H4_in", "y", 0.3)):
        net.connect(source, target, weight=weight)
    sheet = worksheet(net, [0.5], [0.2], ask="forward")
    with pytest.raises(nodenet.InvalidArgument, match=r"'H4_in' names questions 1 and 4 of this sheet .*answer them by number"):
        check(sheet, {"H4_in": 0.35})
    assert check(sheet, {q.number: q.answer for q in sheet.questions}).score == (6, 6)
