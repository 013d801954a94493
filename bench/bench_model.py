#!/usr/bin/env python
"""Throughput of the default `LSTMTrendPredictor` beside an inline floor (plain nn.LSTM + nn.MultiheadAttention +
linear heads of the same sizes), interleaved in one process.

    python bench/bench_model.py                       # CPU, 1 torch thread, batches 32 256 1024
    python bench/bench_model.py --threads 2 --rounds 7
    python bench/bench_model.py --device cuda         # also with bf16 autocast

Prints samples/s (median over rounds) for forward (eval mode, inference_mode) and forward+backward (train mode),
and the ratio package/floor: the package's model should be within 5% of the floor (ratio >= 0.95).
"""
import argparse, os, platform, statistics, time
import torch
from torch import nn
from trendlstm.model import create_lstm_model


class Floor(nn.Module):
    "The same computation written plainly: what the package's model is measured against"
    def __init__(self, input_dim, hidden_dim, num_layers, heads, horizons, head_hidden, dropout):
        super().__init__()
        self.lstm = nn.LSTM(input_dim, hidden_dim, num_layers, batch_first=True, dropout=dropout, bidirectional=True)
        d = 2 * hidden_dim
        self.mha = nn.MultiheadAttention(d, heads, batch_first=True)
        self.query = nn.Parameter(torch.randn(1, 1, d) / d**0.5)
        self.heads = nn.ModuleList(nn.Sequential(nn.Linear(d, head_hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(head_hidden, 3))
                                   for _ in horizons)

    def forward(self, x):
        seq, _ = self.lstm(x)
        pooled, w = self.mha(self.query.expand(x.shape[0], -1, -1), seq, seq, need_weights=True, average_attn_weights=False)
        out = torch.stack([h(pooled[:, 0]) for h in self.heads], 1)
        return torch.tanh(out[..., 0]), out[..., 1:], w[:, :, 0]


def outputs(o): return tuple(o.values()) if isinstance(o, dict) else o


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def step_fn(model, x, backward, autocast, device):
    "One timed step: forward only (eval, inference_mode) or forward+backward (train)"
    def fwd():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast): return outputs(model(x))
    if not backward:
        def step():
            with torch.inference_mode(): fwd()
    else:
        def step():
            trend, logits, w = fwd()
            (trend.float().sum() + logits.float().sum() + w.float().square().sum()).backward()
            model.zero_grad(set_to_none=True)
    return step


def rate(step, batch, device, min_time):
    "Samples/s of `step` over at least `min_time` seconds (at least one call)"
    sync(device); t0 = time.perf_counter(); n = 0
    while True:
        step(); n += 1
        sync(device); dt = time.perf_counter() - t0
        if dt >= min_time: return n * batch / dt


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    p.add_argument('--threads', type=int, default=1, help='torch intra-op threads (the dev machine has 2 shared cores)')
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[32, 256, 1024])
    p.add_argument('--sequence-length', type=int, default=12)
    p.add_argument('--input-dim', type=int, default=62, help="features per day (the data layer's feature count)")
    p.add_argument('--rounds', type=int, default=9, help='interleaved rounds per measurement (median reported)')
    p.add_argument('--min-time', type=float, default=0.2, help='seconds per timed chunk')
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    torch.manual_seed(0)
    pkg = create_lstm_model(input_dim=a.input_dim, device=device)
    c = pkg.config
    floor = Floor(c.encoder.input_dim, c.encoder.hidden_dim, c.encoder.num_lstm_layers, c.attention.num_attention_heads,
                  c.horizons, c.head.head_hidden_dim, c.encoder.dropout_rate).to(device)
    n_pkg, n_floor = (sum(p.numel() for p in m.parameters()) for m in (pkg, floor))
    assert n_pkg == n_floor, f"floor has {n_floor} parameters, package {n_pkg}: not the same sizes"

    print(f"torch {torch.__version__}, device {device}, torch threads {torch.get_num_threads()}, "
          f"cpus {os.cpu_count()}, {platform.processor() or platform.machine()}")
    print(f"loadavg before {tuple(round(l, 2) for l in os.getloadavg())}")
    print(f"model: {n_pkg:,} parameters, sequence_length {a.sequence_length}, input_dim {a.input_dim}, "
          f"rounds {a.rounds}, min_time {a.min_time}s")
    modes = [(False, False), (True, False)] + ([(False, True), (True, True)] if device.type == 'cuda' else [])
    print("samples/s: median over rounds; ratio: median of the per-round package/floor ratios (each round times both back "
          "to back, so slow drifts in machine load cancel); best: ratio of the best rounds")
    print(f"{'pass':<9}{'bf16':<6}{'batch':>6}{'floor/s':>12}{'package/s':>12}{'ratio':>8}{'best':>8}")
    for backward, autocast in modes:
        for batch in a.batch_sizes:
            x = torch.randn(batch, a.sequence_length, a.input_dim, device=device)
            steps = {}
            for name, m in (('floor', floor), ('package', pkg)):
                m.train(backward)
                steps[name] = step_fn(m, x, backward, autocast, device)
                steps[name](); steps[name]()  # warm up (allocator, oneDNN/cuDNN plans)
            res = {k: [] for k in steps}
            for r in range(a.rounds):  # interleave, alternating which goes first
                for name in (('floor', 'package') if r % 2 == 0 else ('package', 'floor')):
                    res[name].append(rate(steps[name], batch, device, a.min_time))
            f, q = statistics.median(res['floor']), statistics.median(res['package'])
            ratio = statistics.median(b / a for a, b in zip(res['floor'], res['package']))
            best = max(res['package']) / max(res['floor'])
            print(f"{'fwd+bwd' if backward else 'forward':<9}{'yes' if autocast else 'no':<6}{batch:>6}{f:>12,.0f}{q:>12,.0f}"
                  f"{ratio:>8.3f}{best:>8.3f}", flush=True)
    print(f"loadavg after {tuple(round(l, 2) for l in os.getloadavg())}")


if __name__ == '__main__':
    main()
