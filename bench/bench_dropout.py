#!/usr/bin/env python
"""The dropout mask between LSTM layers on the CPU: `nn.functional.dropout` (torch's `bernoulli_`, what `nn.LSTM` uses
between its layers) against `trendlstm.model.dropout16`, forward and backward, on a batch of layer outputs.

    python bench/bench_dropout.py               # (32, 12, 128) and (256, 12, 128), p 0.2, 1 torch thread
    python bench/bench_dropout.py --no-readme

Process CPU milliseconds per call (forward and backward), median of interleaved rounds of 50 calls each.
"""
import argparse, os, statistics, sys, time
from pathlib import Path
import torch
from trendlstm.model import dropout16

sys.path.insert(0, str(Path(__file__).parent))
from readme import publish


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[32, 256]); p.add_argument('--p', type=float, default=0.2)
    p.add_argument('--rounds', type=int, default=7); p.add_argument('--calls', type=int, default=50)
    p.add_argument('--no-readme', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(1)
    load0 = os.getloadavg()[0]
    masks = {'F.dropout (bernoulli_)': lambda x: torch.nn.functional.dropout(x, a.p, True), 'dropout16': lambda x: dropout16(x, a.p)}
    lines = ['| batch of layer outputs | ' + ' | '.join(f'{k} ms' for k in masks) + ' | ratio |', '|---|' + '---:|' * (len(masks) + 1)]
    for bs in a.batch_sizes:
        x, g = torch.randn(bs, 12, 128, requires_grad=True), torch.randn(bs, 12, 128)
        ms = {k: [] for k in masks}
        for r in range(a.rounds + 1):
            for k, f in masks.items():
                c = time.process_time()
                for _ in range(a.calls): f(x).backward(g)
                if r: ms[k].append((time.process_time() - c) / a.calls * 1e3)
        med = [statistics.median(v) for v in ms.values()]
        lines.append(f'| ({bs}, 12, 128) | ' + ' | '.join(f'{m:.3f}' for m in med) + f' | {med[0] / med[1]:.1f}x |')
    lines += ['', f'p = {a.p}, forward and backward, process CPU time, median of {a.rounds} interleaved rounds of {a.calls} calls, 1 torch thread; '
              f'load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.']
    publish('bench_dropout', 'The dropout mask between LSTM layers (CPU)', lines, write=not a.no_readme)


if __name__ == '__main__': main()
