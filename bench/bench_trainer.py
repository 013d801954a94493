#!/usr/bin/env python
"""Epoch time of `LSTMTrainer.fit` against a bare PyTorch loop over the same model, loader and batch size.

    python bench/bench_trainer.py                       # CPU, batch 32 and 256, 1 torch thread
    python bench/bench_trainer.py --threads 2 --rounds 7
    python bench/bench_trainer.py --device cuda         # batch 256 and 1024, fp32 and bf16 autocast, data-path check

Both variants train the default `LSTMTrendPredictor` (hidden 128, 2 bidirectional layers, 4 heads) with AdamW, the
default `LSTMLoss` and gradient clipping at 1.0, on the same DataLoader. The bare loop is the floor: zero_grad,
forward, loss, backward, clip, step, with the loss summed as a tensor and read once per epoch. The trainer's
figure is its training part of an epoch (`history['train_seconds']`: the same work plus its bookkeeping, NaN guard
and progress plumbing); its validation pass is reported separately. The variants alternate within each round
(the order flips every round) and the overhead is the median of the per-round ratios.

On CUDA the script also trains from batches already resident on the GPU (no data path at all) and times the data
path alone (loader + host-to-device copy): if the trainer's epoch is close to the GPU-resident epoch, the data path
keeps the GPU busy.
"""
import argparse, copy, os, statistics, time, warnings
import torch, torch.nn as nn
from trendlstm.data import make_synthetic_prices, LSTMDataModule
from trendlstm.model import create_lstm_model
from trendlstm.loss import LSTMLoss
from trendlstm.trainer import LSTMTrainer, LSTMTrainingConfig, create_lstm_optimizer


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def bare_epoch(model, opt, loss_fn, batches, device, amp_dtype=None):
    "The floor: one epoch of a minimal training loop; returns seconds"
    model.train(); sync(device); t0 = time.perf_counter()
    total = torch.zeros((), device=device)
    for batch in batches:
        if device.type != 'cpu': batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
        opt.zero_grad(set_to_none=True)
        with torch.autocast('cuda', dtype=amp_dtype) if amp_dtype else torch.autocast('cpu', enabled=False):
            loss, _ = loss_fn(model(batch['features']), batch)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        total += loss.detach()
    float(total); sync(device)
    return time.perf_counter() - t0


def trainer_epoch(trainer, train_loader, val_loader, device):
    "One `fit` epoch; returns (training seconds, validation seconds, fit wall seconds)"
    sync(device); t0 = time.perf_counter()
    h = trainer.fit(train_loader, val_loader, num_epochs=1)
    sync(device)
    return h['train_seconds'][-1], h['val_seconds'][-1], time.perf_counter() - t0


def data_path_seconds(loader, device):
    "Iterate the loader and copy every batch to the device, nothing else"
    sync(device); t0 = time.perf_counter()
    for batch in loader:
        batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
    sync(device)
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    p.add_argument('--threads', type=int, default=1, help='torch intra-op threads (CPU)')
    p.add_argument('--batch-sizes', type=int, nargs='+', default=None, help='default: 32 256 on CPU, 256 1024 on CUDA')
    p.add_argument('--rounds', type=int, default=5, help='timed rounds per setting (after one warm-up round)')
    p.add_argument('--tickers', type=int, default=None, help='synthetic tickers (default 24 on CPU, 200 on CUDA)')
    p.add_argument('--days', type=int, default=1500, help='trading days per ticker')
    p.add_argument('--freq', default=None, help="'W' or 'D' windows (default 'W' on CPU, 'D' on CUDA)")
    a = p.parse_args()
    cuda = a.device == 'cuda'
    torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    batch_sizes = a.batch_sizes or ([256, 1024] if cuda else [32, 256])
    tickers, freq = a.tickers or (200 if cuda else 24), a.freq or ('D' if cuda else 'W')
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, device {device}'
          + (f' ({torch.cuda.get_device_name(device)})' if cuda else '') + f', load average {os.getloadavg()}')

    prices = make_synthetic_prices(n_tickers=tickers, n_days=a.days, seed=0)
    dm = LSTMDataModule(prices, freq=freq)
    n_train = len(dm.train_dataset)
    print(f'data: {tickers} tickers x {a.days} days, freq {freq!r}: {n_train} training windows, {len(dm.val_dataset)} validation windows')
    precisions = ['none', 'bf16'] if cuda else ['none']
    rows = []
    for bs in batch_sizes:
        loader = dm.train_dataloader(bs, pin_memory=cuda)
        val_loader = dm.val_dataloader(1024, pin_memory=cuda)
        for mp in precisions:
            torch.manual_seed(0)
            base = create_lstm_model(input_dim=len(dm.feature_names))
            cfg = LSTMTrainingConfig(show_progress=False, checkpoint_dir=None, seed=None, mixed_precision=mp, scheduler='none',
                                     early_stopping_patience=None)
            trainer = LSTMTrainer(copy.deepcopy(base), device=a.device, config=cfg)
            bare_model = copy.deepcopy(base).to(device)
            bare_opt, loss_fn = create_lstm_optimizer(bare_model, cfg), LSTMLoss().to(device)
            amp = torch.bfloat16 if mp == 'bf16' else None
            bare, trn, val, fit = [], [], [], []
            for r in range(a.rounds + 1):
                order = ('bare', 'trainer') if r % 2 else ('trainer', 'bare')
                for v in order:
                    if v == 'bare': b = bare_epoch(bare_model, bare_opt, loss_fn, loader, device, amp)
                    else: t, vs, f = trainer_epoch(trainer, loader, val_loader, device)
                if r == 0: continue  # warm-up
                bare.append(b); trn.append(t); val.append(vs); fit.append(f)
            ratios = [t / b for t, b in zip(trn, bare)]
            row = dict(batch=bs, precision=mp, bare_s=statistics.median(bare), trainer_s=statistics.median(trn),
                       overhead_pct=100 * (statistics.median(ratios) - 1), best_round_overhead_pct=100 * (min(ratios) - 1),
                       bare_samples_per_s=n_train / statistics.median(bare), trainer_samples_per_s=n_train / statistics.median(trn),
                       val_s=statistics.median(val), fit_epoch_s=statistics.median(fit))
            if cuda:
                resident = [{k: v.to(device) for k, v in batch.items()} for batch in loader]
                row['gpu_resident_s'] = statistics.median(bare_epoch(bare_model, bare_opt, loss_fn, resident, device, amp) for _ in range(3))
                row['data_path_s'] = statistics.median(data_path_seconds(loader, device) for _ in range(3))
                row['gpu_busy_pct'] = 100 * row['gpu_resident_s'] / row['trainer_s']
                del resident
            rows.append(row)
            print(', '.join(f'{k} {v:.3f}' if isinstance(v, float) else f'{k} {v}' for k, v in row.items()), flush=True)

    print(f'\nload average at the end {os.getloadavg()}')
    print(f"{'batch':>6} {'precision':>9} {'bare s':>8} {'trainer s':>9} {'overhead':>9} {'best rnd':>9} {'samples/s':>10} {'val s':>6}"
          + (f" {'resident s':>10} {'data s':>7} {'GPU busy':>8}" if cuda else ''))
    for r in rows:
        print(f"{r['batch']:>6} {r['precision']:>9} {r['bare_s']:8.3f} {r['trainer_s']:9.3f} {r['overhead_pct']:8.1f}% "
              f"{r['best_round_overhead_pct']:8.1f}% {r['trainer_samples_per_s']:10.0f} {r['val_s']:6.2f}"
              + (f" {r['gpu_resident_s']:10.3f} {r['data_path_s']:7.3f} {r['gpu_busy_pct']:7.0f}%" if cuda else ''))
    worst = max(r['overhead_pct'] for r in rows)
    print(f'\ntrainer overhead (median of paired rounds), worst setting: {worst:.1f}% -> {"within" if worst <= 5 else "ABOVE"} the 5% target')


if __name__ == '__main__':
    warnings.filterwarnings('ignore', category=UserWarning, module='trendlstm')
    main()
