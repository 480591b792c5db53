"""The MLP example in Python: a 784-256-128-10 ReLU MLP on Fashion-MNIST with
Adam (lr 1e-3), batch 128, 5 epochs, written as a PyTorch script would be (the
model is a Python Module holding C++ layers). Prints loss, test accuracy and
time per epoch.

    PYTHONPATH=build/python /usr/bin/python3 examples/fashion_mnist.py [--epochs 5] [--data DIR]
"""
import argparse
import time

import ember as torch
from ember import nn
from ember.nn import functional as F
from ember.utils.data import DataLoader, FashionMNIST


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.flatten(x)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += int((model(images).argmax(1) == labels).sum())
            total += labels.shape[0]
    model.train()
    return correct / total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--data", default=None, help="the Fashion-MNIST folder (default: Debian's)")
    args = parser.parse_args()

    torch.manual_seed(0)
    train_loader = DataLoader(FashionMNIST(args.data, train=True), batch_size=128, shuffle=True, seed=0)
    test_loader = DataLoader(FashionMNIST(args.data, train=False), batch_size=1000)
    model = MLP()
    print(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        total_loss = 0.0
        for images, labels in train_loader:
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item()
        seconds = time.perf_counter() - start
        accuracy = evaluate(model, test_loader)
        print(f"epoch {epoch}: loss {total_loss / len(train_loader):.4f}, test accuracy {accuracy:.2%}, "
              f"{seconds:.2f} s")


if __name__ == "__main__":
    main()
