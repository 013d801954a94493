#!/usr/bin/env python
"""Epoch time of `LSTMTrainer.fit` against a bare PyTorch loop over the same model, loader and batch size.

    python bench/bench_trainer.py                       # CPU, batch 32 and 256, 1 torch thread
    python bench/bench_trainer.py --threads 2 --rounds 9
    python bench/bench_trainer.py --device cuda         # batch 256 and 1024, fp32 and bf16 autocast, data-path check
    python bench/bench_trainer.py --device cuda --batch-sizes 1024 --precisions none --rounds 3 --readme   # the device-path figure
    python bench/bench_trainer.py --quick               # a few seconds on CPU: checks that the script runs

All variants train the default `LSTMTrendPredictor` (hidden 128, 2 bidirectional layers, 4 heads) with AdamW, the
default `LSTMLoss` and gradient clipping at 1.0, on the same DataLoader:
- `bare`: the floor, a minimal loop (zero_grad, forward, loss, backward, clip, step; the loss summed as a tensor and
  read once per epoch);
- `train_epoch`: the trainer's training pass, the code `fit` runs each epoch (the same work plus its bookkeeping:
  NaN guard, per-component sums, gradient-norm record, progress plumbing);
- `fit`: a whole `fit(num_epochs=1)` call: seeding, the training pass, a validation pass over 64 windows, scheduler
  and early-stopping bookkeeping (checkpoints off);
- `bare_again`: the bare loop once more, an A/A comparison: its difference from `bare` is the measurement noise;
- `floor`: the bare loop over batches gathered beforehand and already on the device: the model's training step with no
  data path at all, the floor a data path is measured against;
- `device`: the trainer's training pass over `DeviceDataLoader` (trendlstm.device_data), the device-resident data
  path `fit` takes with `data_on_device='auto'` on a GPU: the data on the device, one gather per batch, the shuffle
  an index permutation on the device. Its share of the floor (floor time / its time) is the figure of issue #13
  (goal: at least 90% at batch 1024 on a GPU).
The variants alternate within each round (the order rotates every round). Times are measured both as wall time and
as process CPU time: on a shared machine (load average above the core count) wall time mostly measures the
neighbours, and even CPU time swells by 10-20% at random when caches are thrashed, so the overhead is the ratio of
the *fastest* round of each variant (timeit's convention: load only ever slows a run down), on CPU time on CPU and
on wall time on CUDA; the median of the per-round ratios is printed beside it.

Because the trainer's own work is tiny next to an LSTM step, the script also times it in isolation: the per-batch
operations `_train_epoch` adds to the bare loop (NaN guard, component sums, gradient-norm record), repeated 20,000
times; times the number of batches, over the bare epoch, that predicts the overhead without the noise of two big
numbers (keep `bookkeeping_us_per_batch` in step with `_train_epoch`).

On CUDA the script also times the host data path alone (DataLoader + host-to-device copy) and counts the
host-to-device copies of one device-path epoch with torch.profiler (the device path makes one per epoch, its shuffled
order, and none per batch).
`--readme` writes the overhead table into its section of bench/README.md (one per device) and, on CUDA, the device-path table.
"""
import argparse, contextlib, copy, os, statistics, time, timeit, warnings
from readme import publish
import torch, torch.nn as nn
from torch.utils.data import DataLoader
from trendlstm.data import make_synthetic_prices, LSTMDataModule, passthrough_collate
from trendlstm.model import create_lstm_model
from trendlstm.loss import LSTMLoss
from trendlstm.trainer import LSTMTrainer, LSTMTrainingConfig, create_lstm_optimizer, _check_losses
from trendlstm.device_data import DeviceDataLoader


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def timed(fn, device):
    "Run `fn()`; returns (wall seconds, process CPU seconds)"
    sync(device); w, c = time.perf_counter(), time.process_time()
    fn(); sync(device)
    return time.perf_counter() - w, time.process_time() - c


def bare_epoch(model, opt, loss_fn, batches, device, amp_dtype=None):
    "The floor: one epoch of a minimal training loop"
    model.train()
    total = torch.zeros((), device=device)
    for batch in batches:
        if device.type != 'cpu': batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
        opt.zero_grad(set_to_none=True)
        with torch.autocast('cuda', dtype=amp_dtype) if amp_dtype else contextlib.nullcontext():
            loss, _ = loss_fn(model(batch['features']), batch)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        total += loss.detach()
    float(total)


def data_path(loader, device):
    "Iterate the loader and copy every batch to the device, nothing else"
    for batch in loader: batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def htod_copies(fn):
    "Host-to-device copies CUDA records while `fn()` runs (torch.profiler), or None where the profiler cannot say"
    try:
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof: fn(); torch.cuda.synchronize()
        events = prof.events()
        if not any(e.device_type == torch.autograd.DeviceType.CUDA for e in events):  # no CUPTI: a 0 would mean nothing
            print('the profiler recorded no CUDA activity: host-to-device copies not counted'); return None
        return sum(1 for e in events if 'HtoD' in e.name)
    except Exception as e:
        print(f'could not count host-to-device copies: {type(e).__name__}: {e}'); return None


def median_ratio(num, den): return statistics.median(n / d for n, d in zip(num, den))


def bookkeeping_us_per_batch(n=20000):
    "The per-batch work `LSTMTrainer._train_epoch` adds to a bare loop, timed in isolation (microseconds, fastest of 5)"
    total = torch.tensor(2.5, requires_grad=True) * 1.0
    comps = {k: torch.tensor(0.5) for k in ('trend_7day', 'direction_7day', 'trend_30day', 'direction_30day', 'total')}
    state = {'sums': torch.zeros(6), 'norms': []}
    def extra():  # the NaN guard, the component sums and the gradient-norm record of one batch
        _check_losses([total.detach()], 0, 1)
        state['sums'] = state['sums'] + torch.stack([total.detach(), *comps.values()])
        state['norms'].append(total.detach())
    return 1e6 * min(timeit.repeat(extra, number=n, repeat=5)) / n


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    p.add_argument('--threads', type=int, default=1, help='torch intra-op threads (CPU)')
    p.add_argument('--batch-sizes', type=int, nargs='+', default=None, help='default: 32 256 on CPU, 256 1024 on CUDA')
    p.add_argument('--rounds', type=int, default=7, help='timed rounds per setting (after one warm-up round)')
    p.add_argument('--tickers', type=int, default=None, help='synthetic tickers (default 12 on CPU, 200 on CUDA)')
    p.add_argument('--days', type=int, default=1500, help='trading days per ticker')
    p.add_argument('--freq', default=None, help="'W' or 'D' windows (default 'W' on CPU, 'D' on CUDA)")
    p.add_argument('--precisions', nargs='+', default=None, choices=['none', 'bf16'], help="default: none bf16 on CUDA, none on CPU")
    p.add_argument('--quick', action='store_true', help='a tiny run (3 tickers x 400 days, batch 64, 1 round) that checks the script works')
    p.add_argument('--readme', action='store_true', help="write the overhead table into bench/README.md (section 'bench_trainer_cpu' or "
                   "'bench_trainer_cuda') and, on CUDA, the device-path table (section 'bench_trainer_device')")
    p.add_argument('--flush-denormal', type=int, default=1, help='1: flush denormals to zero (the variants train the same weights for '
                   'different numbers of steps; denormal arithmetic is many times slower on x86 and would favour one at random)')
    a = p.parse_args()
    if a.quick: a.tickers, a.days, a.rounds, a.batch_sizes = a.tickers or 3, 400, 1, a.batch_sizes or [64]
    cuda = a.device == 'cuda'
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(bool(a.flush_denormal))
    device = torch.device(a.device)
    batch_sizes = a.batch_sizes or ([256, 1024] if cuda else [32, 256])
    tickers, freq = a.tickers or (200 if cuda else 12), a.freq or ('D' if cuda else 'W')
    load0 = os.getloadavg()[0]
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, flush denormals {bool(a.flush_denormal)}, device {device}'
          + (f' ({torch.cuda.get_device_name(device)})' if cuda else '') + f', load average {os.getloadavg()}')

    prices = make_synthetic_prices(n_tickers=tickers, n_days=a.days, seed=0)
    dm = LSTMDataModule(prices, freq=freq)
    n_train = len(dm.train_dataset)
    print(f'data: {tickers} tickers x {a.days} days, freq {freq!r}: {n_train} training windows, {len(dm.val_dataset)} validation windows')
    precisions = a.precisions or (['none', 'bf16'] if cuda else ['none'])
    small_val = DataLoader(dm.val_dataset, batch_size=64, sampler=range(0, len(dm.val_dataset), max(1, len(dm.val_dataset) // 64))[:64],
                           collate_fn=passthrough_collate, pin_memory=cuda)
    clock = 'wall' if cuda else 'cpu'
    rows = []
    for bs in batch_sizes:
        loader = dm.train_dataloader(bs, pin_memory=cuda)
        device_loader = DeviceDataLoader(dm.train_dataset, bs, shuffle=True, seed=0, device=device)
        resident = [{k: v.to(device) for k, v in batch.items()} for batch in loader]
        for mp in precisions:
            torch.manual_seed(0)
            base = create_lstm_model(input_dim=len(dm.feature_names))
            cfg = LSTMTrainingConfig(show_progress=False, checkpoint_dir=None, seed=None, mixed_precision=mp, scheduler='none',
                                     early_stopping_patience=None)
            trainer = LSTMTrainer(copy.deepcopy(base), device=a.device, config=cfg)
            bare_model = copy.deepcopy(base).to(device)
            bare_opt, loss_fn = create_lstm_optimizer(bare_model, cfg), LSTMLoss().to(device)
            amp = torch.bfloat16 if mp == 'bf16' else None
            variants = {'bare': lambda: bare_epoch(bare_model, bare_opt, loss_fn, loader, device, amp),
                        'bare_again': lambda: bare_epoch(bare_model, bare_opt, loss_fn, loader, device, amp),
                        'train_epoch': lambda: trainer._train_epoch(loader, 1),
                        'fit': lambda: trainer.fit(loader, small_val, num_epochs=1),
                        'floor': lambda: bare_epoch(bare_model, bare_opt, loss_fn, resident, device, amp),
                        'device': lambda: trainer._train_epoch(device_loader, 1)}
            times = {k: {'wall': [], 'cpu': []} for k in variants}
            names = list(variants)
            for r in range(a.rounds + 1):
                for k in names[r % len(names):] + names[:r % len(names)]:
                    w, c = timed(variants[k], device)
                    if r: times[k]['wall'].append(w); times[k]['cpu'].append(c)
            best = {k: {c: min(v[c]) for c in v} for k, v in times.items()}
            row = dict(batch=bs, precision=mp, bare_s=best['bare'][clock], train_epoch_s=best['train_epoch'][clock], fit_s=best['fit'][clock],
                       train_epoch_overhead_pct=100 * (best['train_epoch'][clock] / best['bare'][clock] - 1),
                       fit_overhead_pct=100 * (best['fit'][clock] / best['bare'][clock] - 1),
                       median_paired_overhead_pct=100 * (median_ratio(times['train_epoch'][clock], times['bare'][clock]) - 1),
                       aa_noise_pct=100 * (best['bare_again'][clock] / best['bare'][clock] - 1),
                       bare_wall_s=min(times['bare']['wall']), trainer_samples_per_s=n_train / min(times['train_epoch']['wall']),
                       trainer_samples_per_cpu_s=n_train / min(times['train_epoch']['cpu']), batches=len(loader),
                       floor_s=best['floor'][clock], device_s=best['device'][clock],
                       floor_samples_per_s=n_train / best['floor'][clock], device_samples_per_s=n_train / best['device'][clock],
                       host_pct_of_floor=100 * best['floor'][clock] / best['train_epoch'][clock],
                       device_pct_of_floor=100 * best['floor'][clock] / best['device'][clock],
                       device_median_pct_of_floor=100 * median_ratio(times['floor'][clock], times['device'][clock]))
            if cuda:
                row['data_path_s'] = statistics.median(timed(lambda: data_path(loader, device), device)[0] for _ in range(3))
                row['device_htod_per_batch'] = (lambda c: None if c is None else c / len(device_loader))(htod_copies(lambda: trainer._train_epoch(device_loader, 1)))
            rows.append(row)
            print(', '.join(f'{k} {v:.3f}' if isinstance(v, float) else f'{k} {v}' for k, v in row.items()), flush=True)

    us = bookkeeping_us_per_batch()
    print(f'\ntrainer bookkeeping per batch, timed in isolation: {us:.1f} us')
    print(f'load average at the end {os.getloadavg()}; times below are {clock} seconds, fastest of {a.rounds} rounds')
    print(f"{'batch':>6} {'precision':>9} {'bare':>7} {'train_epoch':>11} {'overhead':>9} {'fit(1 ep)':>9} {'overhead':>9} {'median':>8} {'A/A':>7} "
          f"{'predicted':>9} {'samples/s':>10} {'per CPU-s':>10}" + (f" {'data only':>9}" if cuda else ''))
    for r in rows:
        predicted = 100 * us * r['batches'] / 1e6 / r['bare_s']
        print(f"{r['batch']:>6} {r['precision']:>9} {r['bare_s']:7.2f} {r['train_epoch_s']:11.2f} {r['train_epoch_overhead_pct']:8.1f}% "
              f"{r['fit_s']:9.2f} {r['fit_overhead_pct']:8.1f}% {r['median_paired_overhead_pct']:7.1f}% {r['aa_noise_pct']:6.1f}% {predicted:8.2f}% "
              f"{r['trainer_samples_per_s']:10.0f} {r['trainer_samples_per_cpu_s']:10.0f}"
              + (f" {r['data_path_s']:9.3f}" if cuda else ''))
    worst = max(max(r['train_epoch_overhead_pct'], r['fit_overhead_pct']) for r in rows)
    noise = max(abs(r['aa_noise_pct']) for r in rows)
    predicted = max(100 * us * r['batches'] / 1e6 / r['bare_s'] for r in rows)
    verdict = 'within' if predicted <= 5 and worst <= 5 + noise else 'ABOVE (or not resolvable at this load)'
    print(f'\ntrainer overhead ({clock} time, fastest rounds): end-to-end worst {worst:.1f}% with A/A noise up to {noise:.1f}%; '
          f'bookkeeping-based {predicted:.2f}% -> {verdict} the 5% target')
    print("columns: 'overhead' = fastest trainer / fastest bare - 1; 'median' = median of per-round ratios - 1; 'A/A' = fastest bare_again / fastest bare - 1; "
          "'predicted' = bookkeeping per batch x batches / bare epoch")
    gpu = torch.cuda.get_device_name(device) if cuda else 'CPU'
    setup = (f"{gpu}, torch {torch.__version__}, {torch.get_num_threads()} torch thread(s), {tickers} synthetic tickers x {a.days} days, freq {freq!r}: "
             f"{n_train:,} training windows, default model; {clock} seconds, fastest of {a.rounds} interleaved rounds; load average {load0:.1f} at the start, "
             f"{os.getloadavg()[0]:.1f} at the end.")
    publish(f'bench_trainer_{a.device}', f'Trainer: the training pass and `fit` against a bare loop ({gpu})',
            [setup, '', overhead_table(rows, us, cuda), '', f'Trainer overhead: end-to-end worst {worst:.1f}% with A/A noise up to {noise:.1f}%; '
             f'its per-batch bookkeeping timed alone, {us:.1f} us per batch, predicts {predicted:.2f}% -> {verdict} the 5% target.'], write=a.readme)
    publish('bench_trainer_device', 'Trainer: the device-resident data path', [setup, '', device_path_table(rows, n_train, clock, a.rounds, cuda)],
            write=a.readme and cuda)


def overhead_table(rows, us, cuda)->str:
    "The training pass and a one-epoch `fit` against the bare loop, as Markdown"
    lines = ['| batch | precision | bare loop s | training pass s | overhead | `fit`, 1 epoch (+ 64-window validation) s | overhead | median of rounds | A/A (bare vs bare) | trainer windows/s |',
             '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for r in rows:
        lines.append(f"| {r['batch']} | {r['precision']} | {r['bare_s']:.2f} | {r['train_epoch_s']:.2f} | {r['train_epoch_overhead_pct']:+.1f}% | {r['fit_s']:.2f} | "
                     f"{r['fit_overhead_pct']:+.1f}% | {r['median_paired_overhead_pct']:+.1f}% | {r['aa_noise_pct']:+.1f}% | "
                     f"{r['trainer_samples_per_s' if cuda else 'trainer_samples_per_cpu_s']:,.0f} |")
    return '\n'.join(lines)


def device_path_table(rows, n_train, clock, rounds, cuda)->str:
    "The device-resident path and the host path against the floor (training step over batches already on the device), as Markdown"
    lines = ['| batch | precision | floor windows/s | device path windows/s | device path % of floor | median of rounds | host path windows/s | host path % of floor |'
             + (' host-to-device copies per batch (device path) |' if cuda else ''), '|---:|---|---:|---:|---:|---:|---:|---:|' + ('---:|' if cuda else '')]
    for r in rows:
        htod = r.get('device_htod_per_batch')
        lines.append(f"| {r['batch']} | {r['precision']} | {r['floor_samples_per_s']:,.0f} | {r['device_samples_per_s']:,.0f} | {r['device_pct_of_floor']:.1f}% | "
                     f"{r['device_median_pct_of_floor']:.1f}% | {n_train / r['train_epoch_s']:,.0f} | {r['host_pct_of_floor']:.1f}% |"
                     + ((' n/a |' if htod is None else f' {htod:.2f} |') if cuda else ''))
    worst = min(r['device_pct_of_floor'] for r in rows)
    lines.append(f"\nfloor: the bare training step over batches gathered beforehand on the device; % of floor = floor time / path time ({clock} time, fastest "
                 f"of {rounds} rounds). Device path at {worst:.1f}% of the floor at worst (goal: >= 90% at batch 1024 on a GPU).")
    return '\n'.join(lines)


if __name__ == '__main__':
    warnings.filterwarnings('ignore', category=UserWarning, module='trendlstm')
    main()
