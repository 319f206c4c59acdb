"""Train a nodenet network with PyTorch's DistributedDataParallel on CPU, then bring it back to nodenet.

    torchrun --standalone --nproc_per_node=2 examples/distributed.py --out runs/ddp
    python examples/distributed.py --single --out runs/single     # the same training in one process

The network (a 3-8-1 tanh network with a skip connection) is exported with
``nodenet.to_torch``; each of the 2 processes (gloo backend) trains on its
half of the 64 rows, and DDP averages the gradients over the processes, so
equal per-process batches reproduce nodenet's mean over the whole batch.
Process 0 saves a checkpoint (the DDP module's state dict, keys prefixed
``module.``) after every epoch, then imports them back: the trained network
as ``trained.json``, its diagram, and the viewer of the run
(``History.from_checkpoints``) as ``training.html``.
"""

import argparse
import os
import shutil
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

import nodenet

EPOCHS, LR, MOMENTUM = 20, 0.1, 0.9


def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(64, 3))
    y = np.sin(2 * X[:, :1]) + 0.5 * X[:, 1:2] * X[:, 2:3]
    return X, y


def network():
    net = nodenet.Network.from_layers([3, 8, 1], hidden="tanh", seed=0)
    net.connect("I1", "O12", weight=0.1)  # a skip connection: the module is a LevelModule
    return net


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="nodenet-ddp", help="folder for checkpoints and results")
    parser.add_argument("--single", action="store_true", help="train in this one process, without DDP")
    args = parser.parse_args()
    out = Path(args.out)
    distributed = not args.single
    if distributed:
        dist.init_process_group("gloo")
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    torch.set_num_threads(1)

    X, y = data()
    net = network()
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    module = nodenet.to_torch(net)  # float64, the very weights of net
    model = torch.nn.parallel.DistributedDataParallel(module) if distributed else module
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)  # nodenet.SGD(lr, momentum)
    loss_fn = nodenet.torch_loss("l2")
    inputs, targets = torch.tensor(X[rank::world]), torch.tensor(y[rank::world])  # equal halves
    checkpoints, losses = [], []

    def checkpoint(epoch):
        if rank == 0:
            path = out / f"checkpoint-{epoch}.pt"
            torch.save(model.state_dict(), path)
            checkpoints.append(path)

    checkpoint(0)
    for epoch in range(EPOCHS):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()  # DDP averages the gradients over the processes here
        optimizer.step()
        if distributed:
            dist.all_reduce(loss, op=dist.ReduceOp.AVG)
        losses.append(loss.item())
        checkpoint(epoch + 1)

    if rank == 0:
        manifest = module.nodenet_manifest
        trained = nodenet.from_torch(torch.load(checkpoints[-1], weights_only=True), manifest=manifest)
        nodenet.save(trained, out / "trained.json")
        history = nodenet.History.from_checkpoints(checkpoints, manifest=manifest, losses=losses, sample=(X[0], y[0]))
        if shutil.which("dot"):
            trained.forward(X[0])
            trained.backward(y[0])
            trained.render(out / "trained.svg")
            nodenet.export_html(history, out / "training.html")
        print(f"final loss {losses[-1]:.6f}; trained network in {out / 'trained.json'}")
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
