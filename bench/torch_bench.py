#!/usr/bin/python3
"""PyTorch side of `npm run bench`: each seed's training as written (bench/seeds.ts), in PyTorch.

Usage: /usr/bin/python3 bench/torch_bench.py THREADS JOB_JSON [JOB_JSON ...]
A job is {"kind": "steps", "name", "arch", "batch", "samples", "optimizer"} (in-memory random data,
timed optimiser steps) or {"kind": "epoch", "name", "arch", "batch", "optimizer", "mnist",
"trainSize", "validation": {"split", "from", "size"}, "repeats"?} (one epoch of a seed's loop on MNIST: a
shuffling DataLoader, running loss and accuracy, then validation). One JSON line per job.
Run with Debian's python3 (python3-torch); OpenBLAS (libopenblas0-pthread) should be selected.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def conv_relu(cin, cout, k, **kw):
    return [nn.Conv2d(cin, cout, k, **kw), nn.ReLU()]


def build(name):
    if name == "seed000_lenet":
        return nn.Sequential(
            *conv_relu(1, 6, 5), nn.MaxPool2d(2),
            *conv_relu(6, 16, 2, stride=2), nn.MaxPool2d(2),
            *conv_relu(16, 120, 2, stride=2), nn.Flatten(),
            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    if name == "seed001_cnn":
        return nn.Sequential(
            *conv_relu(1, 16, 3, padding=1), nn.MaxPool2d(2),
            *conv_relu(16, 4, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(196, 10))
    if name == "seed002_cnn":
        return nn.Sequential(
            *conv_relu(1, 4, 3, padding=1), nn.MaxPool2d(2),
            *conv_relu(4, 8, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 7 * 7, 10))
    if name == "seed002_cnn_bn":
        return nn.Sequential(
            *conv_relu(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.MaxPool2d(2),
            *conv_relu(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 7 * 7, 10))
    if name == "seed002_mlp30_bn":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 30), nn.ReLU(), nn.BatchNorm1d(30), nn.Linear(30, 10))
    if name == "seed003_convnet":
        return nn.Sequential(
            *conv_relu(1, 20, 5), nn.MaxPool2d(2, 2),
            *conv_relu(20, 50, 5), nn.MaxPool2d(2, 2), nn.Flatten(),
            nn.Linear(4 * 4 * 50, 500), nn.ReLU(), nn.Linear(500, 10))
    if name == "seed004_convnet_dropout":
        return nn.Sequential(
            *conv_relu(1, 20, 5), nn.MaxPool2d(2, 2),
            *conv_relu(20, 50, 5), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Dropout(0.5),
            nn.Linear(4 * 4 * 50, 500), nn.ReLU(), nn.Dropout(0.5), nn.Linear(500, 10))
    if name == "seed004_convnet_bn":
        return nn.Sequential(
            nn.Conv2d(1, 20, 5), nn.BatchNorm2d(20), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(20, 50, 5), nn.BatchNorm2d(50), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
            nn.Linear(4 * 4 * 50, 500), nn.BatchNorm1d(500), nn.ReLU(), nn.Linear(500, 10))
    if name == "seed004_mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 800), nn.ReLU(), nn.Linear(800, 800), nn.ReLU(), nn.Linear(800, 10))
    if name == "seed004_mlp_dropout":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 800), nn.ReLU(), nn.Dropout(0.5),
                             nn.Linear(800, 800), nn.ReLU(), nn.Dropout(0.5), nn.Linear(800, 10))
    if name == "vgg64":
        layers, cin = [], 3
        for cout in (16, 32, 64):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2, 2)]
            cin = cout
        layers += [nn.Flatten()]
        fin = 64 * 8 * 8
        for _ in range(2):
            layers += [nn.Linear(fin, 1024), nn.BatchNorm1d(1024), nn.ReLU()]
            fin = 1024
        layers += [nn.Linear(1024, 2)]
        return nn.Sequential(*layers)
    raise SystemExit(f"unknown architecture {name}")


def shape_of(name):
    return (3, 64, 64) if name == "vgg64" else (1, 28, 28)


def classes_of(name):
    return 2 if name == "vgg64" else 10


def optimizer_for(model, config):
    """torch.optim as the seed configures it (the same fields as the library's OptimizerConfig)."""
    decay = config.get("weightDecay", 0)
    if config.get("name", "sgd") == "adam":
        return torch.optim.Adam(model.parameters(), lr=config["learningRate"],
                                betas=(config.get("beta1", 0.9), config.get("beta2", 0.999)),
                                eps=config.get("epsilon", 1e-8), weight_decay=decay)
    return torch.optim.SGD(model.parameters(), lr=config["learningRate"], momentum=config.get("momentum", 0),
                           nesterov=config.get("nesterov", False), weight_decay=decay)


def steps(job):
    torch.manual_seed(0)
    arch, batch = job["arch"], job["batch"]
    model = build(arch)
    model.train()
    opt = optimizer_for(model, job["optimizer"])
    n = max(1, job["samples"] // batch)
    x = torch.randn(n * batch, *shape_of(arch))
    y = torch.randint(0, classes_of(arch), (n * batch,))

    def step(i):
        xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    for i in range(min(3, n)):  # warm-up
        step(i)
    t0 = time.perf_counter()
    for i in range(n):
        loss = step(i)
    float(loss)
    dt = time.perf_counter() - t0
    return {"name": job["name"], "samples": n * batch, "seconds": dt, "samples_per_s": n * batch / dt,
            "params": sum(p.numel() for p in model.parameters())}


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(folder, split, first, size):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte"))[first:first + size]
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"))[first:first + size]
    x = (torch.from_numpy(images.astype(np.float32) / 255.0) - 0.1307) / 0.3081
    return TensorDataset(x.unsqueeze(1), torch.from_numpy(labels.astype(np.int64)))


def epoch(job):
    """One epoch as the seeds' scripts run it: DataLoader(shuffle=True), loss.item() and the number
    correct per batch, then the validation set under no_grad at batch 1000. The images are normalised
    once up front (the seeds' torchvision transforms redo it per image, which would only slow PyTorch).
    With "repeats" > 1 the epoch is run that many times in this process, each on a fresh model, and
    the fastest counts (as bench/run.ts does on its side for short epochs)."""
    torch.manual_seed(0)
    train = mnist(job["mnist"], "train", 0, job["trainSize"])
    v = job["validation"]
    val = mnist(job["mnist"], v["split"], v["from"], v["size"])
    best = None
    for _ in range(job.get("repeats", 1)):
        result = one_epoch(job, train, val)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def one_epoch(job, train, val):
    model = build(job["arch"])
    opt = optimizer_for(model, job["optimizer"])
    loader = DataLoader(train, batch_size=job["batch"], shuffle=True)
    t0 = time.perf_counter()
    model.train()
    total, correct, loss_sum = 0, 0, 0.0
    for xb, yb in loader:
        opt.zero_grad()
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(yb)
        correct += (out.argmax(1) == yb).sum().item()
        total += len(yb)
    t1 = time.perf_counter()
    model.eval()
    val_correct = 0
    with torch.no_grad():
        for xb, yb in DataLoader(val, batch_size=1000):
            val_correct += (model(xb).argmax(1) == yb).sum().item()
    t2 = time.perf_counter()
    return {"name": job["name"], "train_seconds": t1 - t0, "eval_seconds": t2 - t1, "seconds": t2 - t0,
            "train_accuracy": correct / total, "validation_accuracy": val_correct / len(val)}


def main():
    torch.set_num_threads(int(sys.argv[1]))
    for arg in sys.argv[2:]:
        job = json.loads(arg)
        print(json.dumps(steps(job) if job["kind"] == "steps" else epoch(job)), flush=True)


if __name__ == "__main__":
    main()
