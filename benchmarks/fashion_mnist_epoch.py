#!/usr/bin/python3
"""PyTorch's side of the Fashion-MNIST epoch benchmarks: one epoch of the
model of examples/fashion_mnist_mlp.cpp (784-256-128-10 ReLU) or of
examples/fashion_mnist_cnn.cpp (conv 32 3x3, ReLU, max pool 2, conv 64 3x3,
ReLU, max pool 2, 1600-128-10), Adam 1e-3, batch 128, shuffled, as a PyTorch
user would write it, with the data kept as uint8 until batched (as ember's
loader does).

Usage: benchmarks/fashion_mnist_epoch.py mlp|cnn THREADS   -> prints "seconds peak_rss_mib accuracy"
"""
import gzip
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = "/usr/share/datasets/fashion-mnist"


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


MODELS = {
    "mlp": lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                 nn.Linear(128, 10)),
    "cnn": lambda: nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                                 nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10)),
}


def main():
    kind = sys.argv[1]
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    torch.manual_seed(0)
    images = torch.from_numpy(idx(f"{ROOT}/train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28).copy())
    labels = torch.from_numpy(idx(f"{ROOT}/train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    test_images = torch.from_numpy(idx(f"{ROOT}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28).copy())
    test_labels = torch.from_numpy(idx(f"{ROOT}/t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
    model = MODELS[kind]()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    order = torch.randperm(len(images))
    for i in range(0, len(images), 128):
        index = order[i:i + 128]
        x = images[index].float().div_(255).unsqueeze(1)
        loss = F.cross_entropy(model(x), labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        predicted = torch.cat([model(test_images[i:i + 1000].float().div_(255).unsqueeze(1)).argmax(1)
                               for i in range(0, len(test_images), 1000)])
    accuracy = (predicted == test_labels).float().mean().item() * 100
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {peak_mib:.1f} {accuracy:.2f}")


if __name__ == "__main__":
    main()
