#!/usr/bin/env python
"""What the edge options cost: an epoch with date-grouped batches and the IC loss against the plain loader and loss.

    python bench/bench_edge.py                 # 1 torch thread, 5 interleaved rounds; writes its section of bench/README.md
    python bench/bench_edge.py --rounds 9 --tickers 200

Every variant trains the small model (`LSTMModelConfig.small()`) for one training pass over the same daily windows
(cross-sectional `rank` label) with the same seed and batch size:
- `windows`: shuffled windows and the current loss (trend + direction): the reference;
- `dates`: date-grouped batches (`batch_by_date=True`), current loss;
- `dates+ic`: date-grouped batches and the current loss plus the IC loss (`ic_weight=1`);
- `windows_again`: the reference once more, an A/A check of the measurement noise.
Variants alternate within each round (the order rotates); the ratio is taken on process CPU time of the fastest round of
each variant (load only ever slows a run down). The issue's bar: the sampler and the IC loss together cost at most 10%.
"""
import argparse, os, sys, time, warnings
from pathlib import Path
import torch
from trendlstm.data import LSTMDataModule, make_synthetic_prices
from trendlstm.model import LSTMModelConfig
from trendlstm.trainer import lstm_trainer

sys.path.insert(0, str(Path(__file__).parent))
from readme import publish


def pass_seconds(dm, by_date, ic_weight, batch_size, seed=0):
    "CPU seconds of one training pass of a freshly built trainer"
    t = lstm_trainer(dm, model=LSTMModelConfig.small(), seed=seed, batch_size=batch_size, batch_by_date=by_date, ic_weight=ic_weight,
                     checkpoint_dir=None, show_progress=False, device='cpu')
    loader = dm.train_dataloader(batch_size, by_date=by_date, seed=seed)
    c = time.process_time()
    t._train_epoch(loader, 1)
    return time.process_time() - c


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--tickers', type=int, default=100); p.add_argument('--days', type=int, default=1000)
    p.add_argument('--batch-size', type=int, default=512); p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--threads', type=int, default=1); p.add_argument('--no-readme', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(a.threads); warnings.simplefilter('ignore')
    dm = LSTMDataModule(make_synthetic_prices(a.tickers, a.days, seed=0), freq='D', sequence_length=20, label='rank')
    variants = dict(windows=(False, 0.0), dates=(True, 0.0), **{'dates+ic': (True, 1.0)}, windows_again=(False, 0.0))
    times = {k: [] for k in variants}
    names = list(variants)
    load0 = os.getloadavg()
    for r in range(a.rounds):
        for k in names[r % len(names):] + names[:r % len(names)]:
            times[k].append(pass_seconds(dm, *variants[k], a.batch_size))
        print(f'round {r}: ' + ', '.join(f'{k} {times[k][-1]:.2f}s' for k in names), flush=True)
    best = {k: min(v) for k, v in times.items()}
    ref = best['windows']
    lines = [f'{a.tickers} synthetic tickers x {a.days} days, daily windows of 20 days, label rank, {len(dm.train_dataset):,} training windows, '
             f'batch {a.batch_size}, small model, {a.threads} torch thread(s), fastest of {a.rounds} interleaved rounds (process CPU time); '
             f'load average {load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.', '',
             '| variant | seconds per pass | vs windows |', '|---|---|---|']
    lines += [f'| {k} | {best[k]:.2f} | {best[k] / ref - 1:+.1%} |' for k in names]
    lines += ['', f"Date batches and the IC loss together: {best['dates+ic'] / ref - 1:+.1%} of a training pass "
                  f"(bar: at most +10%); A/A noise {best['windows_again'] / ref - 1:+.1%}."]
    publish('bench_edge', 'Edge options: date batches and the IC loss', lines, write=not a.no_readme)


if __name__ == '__main__': main()
