"""PyTorch interop: the same numbers in torch (outputs, loss, autograd gradients, training), and back."""

import copy
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings

import nodenet
from nodenet.errors import DivergenceError, FormatError, InvalidArgument, MissingDependency
from nodenet.parameters import Parameters
from nodenet.testing import problems

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'nodenet-lab[torch]')")

RTOL = 1e-12


def torch_gradients(module, x, y, loss):
    """Outputs, loss and every parameter gradient of ``module`` by autograd, the gradients by nodenet name."""
    module.zero_grad()
    inputs = torch.tensor(np.atleast_2d(x), dtype=torch.float64)
    targets = torch.tensor(np.atleast_2d(y), dtype=torch.float64)
    outputs = module(inputs)
    value = nodenet.torch_loss(loss)(outputs, targets)
    value.backward()
    tensors = dict(module.named_parameters())
    grads = {}
    for name, (key, index) in module.nodenet_manifest["parameters"].items():
        grads[name] = float(tensors[key].grad.detach()[tuple(index)])
    return outputs.detach().numpy(), value.item(), grads


def close(a, b, what):
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL, err_msg=what)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_torch_gives_nodenets_outputs_loss_and_gradients(problem):
    net, x, y, loss = problem
    module = nodenet.to_torch(net)
    outputs, value, grads = torch_gradients(module, x, y, loss)
    expected = net.forward(x)
    expected_loss = net.backward(y, loss=loss)
    close(outputs, np.atleast_2d(expected), "outputs")
    close(value, expected_loss, "loss")
    params = Parameters(net)
    for name, grad in zip(params.names, params.grads()):
        close(grads[name], grad, name)


@settings(max_examples=60, deadline=None)
@given(problems(batch=None))
def test_from_torch_of_to_torch_is_the_same_network_bit_for_bit(problem):
    net = problem.net
    back = nodenet.from_torch(nodenet.to_torch(net))
    assert [(n.name, n.kind, n.activation_function) for n in back.nodes] == [
        (n.name, n.kind, n.activation_function) for n in net.nodes]
    assert Parameters(back).names == Parameters(net).names
    assert Parameters(back).values.tobytes() == Parameters(net).values.tobytes()


def test_a_dense_layered_network_is_a_sequential_and_a_dag_a_level_module():
    dense = nodenet.to_torch(nodenet.Network.from_layers([3, 4, 2], hidden="tanh", output="softmax", seed=0))
    assert isinstance(dense, torch.nn.Sequential) and list(dense.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    net = nodenet.Network.from_layers([2, 3, 1], seed=1)
    net.connect("I1", "O6", weight=0.25)  # a skip connection
    dag = nodenet.to_torch(net)
    assert type(dag).__name__ == "LevelModule" and dag.nodenet_manifest["module"] == "levels"
    loss = nodenet.torch_loss("l2")(dag(torch.ones(4, 2, dtype=torch.float64)), torch.zeros(4, 1, dtype=torch.float64))
    loss.backward()
    masked = dag.weights[1].grad * (1 - dag.mask1)
    assert torch.count_nonzero(masked) == 0  # absent connections get no gradient


def test_the_manifest_survives_ddp_and_compile_prefixes(tmp_path):
    net = nodenet.Network.from_layers([2, 3, 1], seed=2)
    net.connect("I1", "O6", weight=0.5)
    module = nodenet.to_torch(net, manifest=tmp_path / "manifest.json")
    state = module.state_dict()
    for prefix in ("module.", "_orig_mod.", "module._orig_mod."):
        prefixed = {prefix + key: value for key, value in state.items()}
        back = nodenet.from_torch(prefixed, manifest=tmp_path / "manifest.json")
        assert Parameters(back).values.tolist() == Parameters(net).values.tolist()

    class Wrapper(torch.nn.Module):
        def __init__(self, inner, attribute):
            super().__init__()
            setattr(self, attribute, inner)

    # what DistributedDataParallel and torch.compile look like, nested as DDP's docs recommend (compile(DDP(m)))
    DistributedDataParallel = type("DistributedDataParallel", (Wrapper,), {})
    OptimizedModule = type("OptimizedModule", (Wrapper,), {})
    wrapped = OptimizedModule(DistributedDataParallel(module, "module"), "_orig_mod")
    assert Parameters(nodenet.from_torch(wrapped)).values.tolist() == Parameters(net).values.tolist()
    compiled_ddp = {"_orig_mod.module." + key: value for key, value in state.items()}
    assert Parameters(nodenet.from_torch(compiled_ddp, manifest=module.nodenet_manifest)).values.tolist() == \
        Parameters(net).values.tolist()
    other = torch.nn.Sequential(torch.nn.Linear(2, 1))
    other.module = torch.nn.Linear(5, 5)  # a child that happens to be called "module" is not a wrapper
    with pytest.raises(FormatError, match="Layer 'module'"):
        nodenet.from_torch(other)
    assert json.loads((tmp_path / "manifest.json").read_text()) == module.nodenet_manifest


def test_a_plain_sequential_comes_in_named_like_from_layers():
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LeakyReLU(0.1), torch.nn.Linear(4, 2),
                                 torch.nn.Softmax(dim=1)).double()
    net = nodenet.from_torch(module)
    assert [n.name for n in net.nodes] == ["I1", "I2", "I3", "H4", "H5", "H6", "H7", "O8", "O9"]
    assert net["H4"].activation_function.slope == 0.1 and net["O8"].activation == "softmax"
    x = np.random.default_rng(0).normal(size=(5, 3))
    close(net.forward(x), module(torch.tensor(x)).detach().numpy(), "outputs")


def bad_inputs():
    net = nodenet.Network.from_layers([2, 2, 2], seed=0)
    net.connect("I1", "O5", weight=0.1)  # a skip connection into O5 only: O6 has none from I1
    module = nodenet.to_torch(net)
    manifest = module.nodenet_manifest
    state = {key: value.clone() for key, value in module.state_dict().items()}
    missing = dict(state)
    del missing["biases.1"]
    wrong = dict(state, **{"weights.0": torch.zeros(3, 3, dtype=torch.float64)})
    stray = {key: value.clone() for key, value in state.items()}
    absent = tuple(np.argwhere(module.mask1.numpy() == 0)[0])
    stray["weights.1"][absent] = 0.5
    return manifest, missing, wrong, stray


def test_bad_state_dicts_and_modules_are_refused_naming_the_key_or_layer():
    manifest, missing, wrong, stray = bad_inputs()
    with pytest.raises(FormatError, match="The state dict has no tensor 'biases.1'"):
        nodenet.from_torch(missing, manifest=manifest)
    with pytest.raises(FormatError, match=r"Tensor 'weights.0' has shape \[3, 3\]; the manifest expects \[2, 2\]"):
        nodenet.from_torch(wrong, manifest=manifest)
    with pytest.raises(FormatError, match="Tensor 'weights.1' holds 0.5 .* where the network has no connection"):
        nodenet.from_torch(stray, manifest=manifest)
    with pytest.raises(FormatError, match=r"Layer '1' \(Dropout\) is not supported"):
        nodenet.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5)))
    with pytest.raises(InvalidArgument, match="needs its manifest"):
        nodenet.from_torch(missing)
    with pytest.raises(InvalidArgument, match="no PyTorch module here"):
        net = nodenet.Network.from_layers([1, 1], seed=0)
        net["O2"].activation = CubeLike()
        nodenet.to_torch(net)


class CubeLike(nodenet.Activation):
    name = "cube_like"

    def value(self, pre):
        return pre ** 3

    def derivative(self, pre, post):
        return 3 * pre ** 2


def test_torch_losses_match_nodenets():
    rng = np.random.default_rng(3)
    post, target = rng.random((4, 3)), rng.random((4, 3))
    for name in ("l2", "cross_entropy"):
        ours = nodenet.get_loss(name).mean(post, target)
        theirs = nodenet.torch_loss(name)(torch.tensor(post), torch.tensor(target)).item()
        assert theirs == pytest.approx(ours, rel=1e-14)


OPTIMIZERS = [
    ("sgd", lambda: nodenet.SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    ("momentum", lambda: nodenet.SGD(lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("nesterov", lambda: nodenet.SGD(lr=0.1, momentum=0.9, nesterov=True),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", lambda: nodenet.Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
]
SCHEDULES = [
    ("time", nodenet.TimeDecay(decay=0.1), lambda epoch: 1.0 / (1.0 + 0.1 * epoch)),
    ("step", nodenet.StepDecay(factor=0.5, every=2), lambda epoch: 0.5 ** (epoch // 2)),
    ("exponential", nodenet.ExponentialDecay(gamma=0.8), lambda epoch: 0.8 ** epoch),
    ("chapter", nodenet.ChapterDecay(decay=0.1), lambda epoch: float(np.prod([1 / (1 + 0.1 * i) for i in range(1, epoch + 1)]))),
]


@settings(max_examples=10, deadline=None)
@given(problems(batch=4, softmax=False))
@pytest.mark.parametrize(("label", "ours", "theirs"), OPTIMIZERS, ids=[row[0] for row in OPTIMIZERS])
def test_training_trajectories_equal_the_mapped_torch_optimizers(label, ours, theirs, problem):
    trajectories_agree(problem, ours(), theirs, None, None)


@settings(max_examples=10, deadline=None)
@given(problems(batch=4, softmax=False))
@pytest.mark.parametrize(("label", "schedule", "factor"), SCHEDULES, ids=[row[0] for row in SCHEDULES])
def test_schedules_equal_lambda_lr_for_sgd_and_adam(label, schedule, factor, problem):
    trajectories_agree(problem, nodenet.SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1), schedule, factor)
    trajectories_agree(problem, nodenet.Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01), schedule, factor)


def trajectories_agree(problem, optimizer, make_torch, schedule, factor, epochs=6):
    net, x, y, loss = problem
    module = nodenet.to_torch(net)
    trained = copy.deepcopy(net)
    try:
        trained.fit(x, y, epochs=epochs, optimizer=optimizer, schedule=schedule, loss=loss, record_every=0, progress=False)
    except DivergenceError:
        assume(False)  # a random DAG that diverges at this rate compares nothing
    torch_optimizer = make_torch(module.parameters())
    scheduler = torch.optim.lr_scheduler.LambdaLR(torch_optimizer, factor) if factor else None
    inputs, targets = torch.tensor(x), torch.tensor(y)
    for _ in range(epochs):
        torch_optimizer.zero_grad()
        nodenet.torch_loss(loss)(module(inputs), targets).backward()
        torch_optimizer.step()
        if scheduler is not None:
            scheduler.step()
    back = nodenet.from_torch(module)
    np.testing.assert_allclose(Parameters(back).values, Parameters(trained).values, rtol=1e-10, atol=1e-10)


def test_history_from_checkpoints_shows_a_torch_run(tmp_path):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    module = nodenet.to_torch(net, manifest=tmp_path / "manifest.json")
    optimizer = torch.optim.SGD(module.parameters(), lr=0.2)
    x, y = torch.tensor([[0.5, 0.2, 0.7]], dtype=torch.float64), torch.tensor([[0.3]], dtype=torch.float64)
    paths, losses = [], []
    for epoch in range(4):
        path = tmp_path / f"epoch-{epoch}.pt"
        torch.save(module.state_dict(), path)
        paths.append(path)
        if epoch < 3:
            optimizer.zero_grad()
            value = nodenet.torch_loss("l2")(module(x), y)
            value.backward()
            optimizer.step()
            losses.append(value.item())
    history = nodenet.History.from_checkpoints(paths, manifest=tmp_path / "manifest.json", losses=losses,
                                               sample=([0.5, 0.2, 0.7], [0.3]))
    reference = nodenet.Network.from_layers([3, 2, 1], seed=13).fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=3, lr=0.2)
    np.testing.assert_allclose(history.parameters, reference.parameters, rtol=1e-12)
    np.testing.assert_allclose(history.loss, reference.loss, rtol=1e-12)
    assert history.network_at(3)["O6"].post == pytest.approx(reference.network_at(3)["O6"].post, rel=1e-12)
    with pytest.raises(FormatError, match="not a checkpoint torch can read safely"):
        (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
        nodenet.History.from_checkpoints([tmp_path / "bad.pt"], manifest=tmp_path / "manifest.json")


def test_without_torch_the_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependency, match=r"pip install 'nodenet-lab\[torch\]'"):
        nodenet.to_torch(nodenet.Network.from_layers([1, 1], seed=0))


def test_import_nodenet_does_not_import_torch():
    code = "import sys, nodenet; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_the_module_works_with_torch_compile_and_autocast():
    net = nodenet.Network.from_layers([3, 4, 2], hidden="tanh", seed=5)
    net.connect("I1", "O9", weight=0.3)
    x = np.random.default_rng(2).normal(size=(6, 3))
    module = nodenet.to_torch(net)
    compiled = torch.compile(module, backend="eager")  # the _orig_mod. wrapper, without a C compiler
    np.testing.assert_allclose(compiled(torch.tensor(x)).detach().numpy(), net.forward(x), rtol=1e-12)
    assert all(key.startswith("_orig_mod.") for key in compiled.state_dict())
    back = nodenet.from_torch(compiled.state_dict(), manifest=module.nodenet_manifest)
    assert Parameters(back).values.tolist() == Parameters(net).values.tolist()
    single = nodenet.to_torch(net, dtype=torch.float32)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = single(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(low.float().detach().numpy(), net.forward(x), atol=0.05)


def test_checkpoints_of_a_torch_run_plot_and_export(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install 'nodenet-lab[plot]')")
    net = nodenet.Network.from_layers([2, 2, 1], seed=3)
    module = nodenet.to_torch(net)
    states = [{key: value.clone() + 0.01 * epoch for key, value in module.state_dict().items()} for epoch in range(3)]
    history = nodenet.History.from_checkpoints(states, manifest=module.nodenet_manifest, losses=[0.5, 0.25],
                                               sample=([0.1, 0.2], [0.3]))
    assert history.recorded_epochs.tolist() == [0, 1, 2] and history.loss.tolist() == [0.5, 0.25]
    assert [axes.get_title() for axes in nodenet.plot_history(history).axes][-1] == "Training loss"
    import shutil

    if shutil.which("dot"):
        assert nodenet.export_html(history, tmp_path / "run.html").stat().st_size > 1000


def test_round_trips_keep_the_order_of_the_outputs(tmp_path):
    net = nodenet.Network()
    net.add_input("x"); net.add_output("a"); net.add_output("b"); net.add_node("h", activation="tanh")
    net.connect("x", "h", weight=1.0); net.connect("h", "a", weight=2.0); net.connect("x", "b", weight=-1.0)
    for back in (nodenet.from_torch(nodenet.to_torch(net)),):
        assert [node.name for node in back.outputs] == ["a", "b"]
        assert back.forward([0.3]).tolist() == net.forward([0.3]).tolist()


@pytest.mark.parametrize(("layers", "fragment"), [
    (lambda nn: [nn.Linear(2, 2), nn.ReLU(), nn.Sigmoid()], "must follow an nn.Linear"),
    (lambda nn: [nn.Linear(2, 2), nn.Softmax(dim=0)], "Softmax(dim=0)"),
    (lambda nn: [nn.Linear(2, 2), nn.Softplus(threshold=1.0)], "threshold=1.0"),
    (lambda nn: [nn.Linear(2, 2), nn.LeakyReLU(1.5)], "LeakyReLU(1.5)"),
    (lambda nn: [type("MyLinear", (nn.Linear,), {})(2, 2)], "(MyLinear) is not supported"),
], ids=["two activations", "softmax over the batch", "softplus threshold", "leaky slope", "Linear subclass"])
def test_sequentials_that_nodenet_would_get_wrong_are_refused(layers, fragment):
    with pytest.raises(FormatError, match=re.escape(fragment)):
        nodenet.from_torch(torch.nn.Sequential(*layers(torch.nn)))


def test_one_sample_tensors_are_refused_with_the_fix():
    module = nodenet.to_torch(nodenet.Network.from_layers([2, 2], output="softmax", seed=0))
    with pytest.raises(InvalidArgument, match=r"batches \(n, k\)"):
        nodenet.torch_loss("l2")(torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
    dag = nodenet.Network.from_layers([2, 2, 1], seed=0)
    dag.connect("I1", "O5")
    with pytest.raises(InvalidArgument, match="takes batches"):
        nodenet.to_torch(dag)(torch.ones(2, dtype=torch.float64))
    assert module(torch.ones(1, 2, dtype=torch.float64)).shape == (1, 2)
