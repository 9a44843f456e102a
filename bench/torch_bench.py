#!/usr/bin/python3
"""PyTorch side of `npm run bench`: the architectures of bench/models.ts, trained the same way
(in-memory random data, cross-entropy, SGD lr 0.01, fixed thread count), one JSON line per run.

Usage: /usr/bin/python3 bench/torch_bench.py THREADS NAME:BATCH:SAMPLES [...]
Run with Debian's python3 (python3-torch); OpenBLAS (libopenblas0-pthread) should be selected.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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
    if name == "seed003_convnet":
        return nn.Sequential(
            *conv_relu(1, 20, 5), nn.MaxPool2d(2, 2),
            *conv_relu(20, 50, 5), nn.MaxPool2d(2, 2), nn.Flatten(),
            nn.Linear(4 * 4 * 50, 500), nn.ReLU(), nn.Linear(500, 10))
    if name == "seed004_mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 800), nn.ReLU(), nn.Linear(800, 800), nn.ReLU(), nn.Linear(800, 10))
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


def run(name, batch, samples):
    torch.manual_seed(0)
    model = build(name)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    steps = max(1, samples // batch)
    x = torch.randn(steps * batch, *shape_of(name))
    y = torch.randint(0, classes_of(name), (steps * batch,))

    def step(i):
        xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    for i in range(min(3, steps)):  # warm-up
        step(i)
    t0 = time.perf_counter()
    for i in range(steps):
        loss = step(i)
    float(loss)
    dt = time.perf_counter() - t0
    params = sum(p.numel() for p in model.parameters())
    return {"name": name, "batch": batch, "samples": steps * batch, "seconds": dt,
            "samples_per_s": steps * batch / dt, "params": params}


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    for spec in sys.argv[2:]:
        name, batch, samples = spec.split(":")
        print(json.dumps(run(name, int(batch), int(samples))), flush=True)


if __name__ == "__main__":
    main()
