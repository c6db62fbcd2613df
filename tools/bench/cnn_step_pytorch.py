#!/usr/bin/python3
"""cnn_step_pytorch.py — the PyTorch side of tools/bench/compare_cnn_step.sh.

Times one training step (forward, cross-entropy, backward, SGD update) of the
networks tools/bench/cnn_step_benchmark.cpp times in TinyTorch C++, on random
data of the same shapes, and prints one line per network:

    <network> <milliseconds per step, median> <threads>

Networks (NCHW, float32):
  cifar       Conv 3->32 k3 p1, ReLU, MaxPool 2, Conv 32->64 k3 p1, ReLU,
              MaxPool 2, Flatten, Linear 4096->10; batch 64 of 3x32x32
  tinydigits  Conv 1->8 k3 p1, ReLU, MaxPool 2, Conv 8->16 k3 p1, ReLU,
              MaxPool 2, Flatten, Linear 64->10; batch 32 of 1x8x8
"""
import argparse
import statistics
import time

import torch
from torch import nn


def cifar_net():
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4096, 10))


def tinydigits_net():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 10))


NETWORKS = {"cifar": (cifar_net, (64, 3, 32, 32)), "tinydigits": (tinydigits_net, (32, 1, 8, 8))}


def time_steps(name, steps, warmup):
    make, shape = NETWORKS[name]
    torch.manual_seed(0)
    model = make()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    x = torch.rand(shape)
    y = torch.randint(0, 10, (shape[0],))
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="0: every core")
    parser.add_argument("networks", nargs="*", default=list(NETWORKS))
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    else:
        import os
        torch.set_num_threads(len(os.sched_getaffinity(0)))
    for name in args.networks:
        print(f"{name} {time_steps(name, args.steps, args.warmup):.3f} {torch.get_num_threads()}")


if __name__ == "__main__":
    main()
