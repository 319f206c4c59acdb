"""pandas DataFrames (and mappings) are matched to the input and output nodes by name, never by position."""

import numpy as np
import pytest

import nodenet

pd = pytest.importorskip("pandas", reason="pandas is not installed (pip install 'nodenet-lab[pandas]')")

ROWS = pd.DataFrame({"I1": [0.5, 0.1, -0.3], "I2": [0.2, 0.4, 0.9], "I3": [0.7, -0.6, 0.0]})


@pytest.fixture
def net():
    return nodenet.Network.from_layers([3, 2, 1], seed=13)


def test_reordered_columns_give_identical_predictions(net):
    expected = net.predict(ROWS.to_numpy())
    for order in (["I3", "I1", "I2"], ["I2", "I3", "I1"]):
        assert net.predict(ROWS[order]).tolist() == expected.tolist()
    assert net.predict(ROWS[["I3", "I1", "I2"]].iloc[0].to_dict()).tolist() == expected[0].tolist()
    assert round(float(net.forward(ROWS[["I3", "I1", "I2"]].iloc[:1])[0, 0]), 4) == 0.0991  # the chapter's sample


def test_fit_reads_frames_by_name_and_trains_the_same(net):
    twin = nodenet.Network.from_layers([3, 2, 1], seed=13)
    targets = pd.DataFrame({"O6": [0.3, 0.1, 0.5]})
    a = net.fit(ROWS[["I2", "I3", "I1"]], targets, epochs=5, lr=0.2, progress=False)
    b = twin.fit(ROWS.to_numpy(), targets.to_numpy(), epochs=5, lr=0.2, progress=False)
    assert a.parameters.tolist() == b.parameters.tolist()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (ROWS[["I3", "I1"]], "The input columns must name each input node exactly once (I1, I2, I3); missing: I2; unknown: none."),
        (ROWS.assign(I4=1.0), "The input columns must name each input node exactly once (I1, I2, I3); missing: none; unknown: I4."),
        (ROWS.rename(columns={"I1": "i1"}), "The input columns must name each input node exactly once (I1, I2, I3); missing: I1; unknown: i1."),
    ],
)
def test_a_missing_or_unknown_column_is_refused_naming_it(net, frame, message):
    with pytest.raises(nodenet.ShapeError) as err:
        net.predict(frame)
    assert str(err.value) == message
    with pytest.raises(nodenet.ShapeError, match="missing|unknown"):
        net.fit(frame, np.zeros(3), epochs=1, lr=0.1, progress=False)


def test_a_frame_without_column_names_is_read_by_position(net):
    assert net.predict(pd.DataFrame(ROWS.to_numpy())).tolist() == net.predict(ROWS.to_numpy()).tolist()


def test_from_layers_names_the_nodes_after_the_columns():
    named = nodenet.Network.from_layers([3, 2, 1], seed=13, input_names=list(ROWS.columns[::-1]), output_names=["price"])
    assert [node.name for node in named.inputs] == ["I3", "I2", "I1"] and named.outputs[0].name == "price"
    history = named.fit(ROWS, pd.DataFrame({"price": [1.0, 2.0, 3.0]}), epochs=2, lr=0.1, progress=False)
    assert history.loss.shape == (2,)
    with pytest.raises(nodenet.InvalidArgument, match="input_names must name each of the 3 input nodes; got 2 names"):
        nodenet.Network.from_layers([3, 1], input_names=["a", "b"])
