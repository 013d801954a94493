#!/usr/bin/env python
"""Speed and memory of the data layer on the shared S&P 500 file (619,040 daily rows, 505 tickers).

    python bench/bench_data.py                   # freq D and W, loader at batch 32 and 1024, 1 torch thread, CPU
    python bench/bench_data.py --threads 2
    python bench/bench_data.py --device cuda     # batches also copied to the GPU; the model trained there
    python bench/bench_data.py --no-readme       # print only (by default the figures also go to bench/README.md)

For each freq, in a fresh process (so peak memory is that freq's own): wall time of load -> features -> labels ->
data module (`LSTMDataModule(prices)` rebuilds features and labels itself; the breakdown times them alone) in wall and
CPU seconds (CPU time is the steadier figure on a shared machine), peak RSS,
the dataset memory (shared table + window indices of train/val/test) against the float32 feature matrix, then the
training loader's windows/s (shuffled, `num_workers=0`) at each batch size, and the default model's training windows/s
(forward + backward + AdamW step with `LSTMLoss`) on the same batches: loader/model should be >= 20.
Targets: daily pipeline < 15 s and < 2 GB peak RSS; dataset memory <= 1.5x the feature matrix.
"""
import argparse, json, os, platform, resource, subprocess, sys, time, warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from readme import publish


def rss_mib(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rate(fn, batch, min_time):
    "Windows/s of `fn` (one batch per call) over at least `min_time` seconds"
    fn(); t0, n = time.perf_counter(), 0
    while (dt := time.perf_counter() - t0) < min_time: fn(); n += 1
    return n * batch / dt


def loader_fn(loader, device):
    "A callable returning the next batch (on `device`), cycling through the loader"
    it = [iter(loader)]
    def nxt():
        try: b = next(it[0])
        except StopIteration: it[0] = iter(loader); b = next(it[0])
        if device.type != 'cpu': b = {k: v.to(device, non_blocking=True) for k, v in b.items()}; torch.cuda.synchronize()
        return b
    return nxt


def train_fn(dataset, batch, device):
    "A callable doing one training step of the default model on a fixed batch, or None when the model is not there"
    try:
        from trendlstm.model import create_lstm_model
        from trendlstm.loss import LSTMLoss
    except ImportError as e:
        print(f'  model: skipped ({e})'); return None
    model = create_lstm_model(input_dim=len(dataset.feature_names), horizons=dataset.horizons, device=device).train()
    loss_fn, opt = LSTMLoss(horizons=dataset.horizons), torch.optim.AdamW(model.parameters(), lr=1e-3)
    b = {k: v.to(device) for k, v in dataset.__getitems__(list(range(batch))).items()}
    def step():
        opt.zero_grad(set_to_none=True)
        total, _ = loss_fn(model(b['features']), b)
        total.backward(); opt.step()
        if device.type == 'cuda': torch.cuda.synchronize()
    return step


def run_freq(freq, args):
    "One freq in this process: pipeline times, peak RSS, dataset memory, loader and model rates (printed as JSON)"
    torch.set_num_threads(args.threads)
    from trendlstm.data import LSTMDataModule, load_prices, make_features, make_labels, sp500_path
    warnings.simplefilter('ignore')
    path, res = sp500_path(), dict(freq=freq, rss_after_imports_mib=rss_mib())
    c0, t0 = time.process_time(), time.perf_counter(); prices = load_prices(path)
    t1 = time.perf_counter(); dm = LSTMDataModule(prices, freq=freq)
    t2, c2 = time.perf_counter(), time.process_time()
    res.update(load_s=t1 - t0, module_s=t2 - t1, pipeline_s=t2 - t0, pipeline_cpu_s=c2 - c0, peak_rss_mib=rss_mib())
    t = time.perf_counter(); make_features(prices, dropna=False); res['features_alone_s'] = time.perf_counter() - t
    t = time.perf_counter(); make_labels(prices); res['labels_alone_s'] = time.perf_counter() - t
    tab = dm.table
    x_bytes = tab.features.numel() * 4
    table_bytes = sum(v.numel() * v.element_size() for v in (tab.features, tab.forward_return, tab.volatility, tab.date, tab.ticker))
    ends_bytes = sum(d.ends.numel() * 8 for d in (dm.train_dataset, dm.val_dataset, dm.test_dataset))
    res.update(samples=tab.features.shape[0], features=tab.features.shape[1], windows={k: len(getattr(dm, f'{k}_dataset')) for k in ('train', 'val', 'test')},
               feature_matrix_mib=x_bytes / 2**20, dataset_mib=(table_bytes + ends_bytes) / 2**20, dataset_ratio=(table_bytes + ends_bytes) / x_bytes)
    device = torch.device(args.device)
    for bs in args.batch:
        loader = dm.train_dataloader(batch_size=bs, pin_memory=device.type == 'cuda')
        res[f'loader_windows_per_s_b{bs}'] = rate(loader_fn(loader, device), bs, args.min_time)
        step = train_fn(dm.train_dataset, bs, device)
        if step is not None:
            res[f'model_train_windows_per_s_b{bs}'] = rate(step, bs, args.min_time)
            res[f'loader_over_model_b{bs}'] = res[f'loader_windows_per_s_b{bs}'] / res[f'model_train_windows_per_s_b{bs}']
    print(json.dumps(res))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--freq', nargs='+', default=['D', 'W'])
    p.add_argument('--batch', nargs='+', type=int, default=[32, 1024])
    p.add_argument('--threads', type=int, default=1, help='torch threads (the machine is shared: 1 by default)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--min-time', type=float, default=2.0, help='seconds per rate measurement')
    p.add_argument('--one', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--no-readme', action='store_true', help='print only; do not write bench/README.md')
    args = p.parse_args()
    if args.one: return run_freq(args.freq[0], args)
    from trendlstm.data import sp500_path
    if sp500_path() is None: sys.exit('the S&P 500 file ../shared/data/sp500_5yr.csv.gz was not found (set TRENDLSTM_SP500)')
    load0 = os.getloadavg()[0]
    print(f'machine: {platform.node()}, {os.cpu_count()} cpus, load average {os.getloadavg()}, python {platform.python_version()}, '
          f'torch {torch.__version__}, torch threads {args.threads}, device {args.device}')
    rows = []
    for freq in args.freq:
        cmd = [sys.executable, __file__, '--one', '--freq', freq, '--threads', str(args.threads), '--device', args.device,
               '--min-time', str(args.min_time), '--batch', *map(str, args.batch)]
        rows.append((freq, json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])))
    lines = [f'The S&P 500 file, each freq in a fresh process; {args.threads} torch thread(s), device {args.device}; load average {load0:.1f} at the start, '
             f'{os.getloadavg()[0]:.1f} at the end (2 cores shared with other jobs). Targets: daily pipeline < 15 s and < 2 GB peak RSS; dataset memory '
             '<= 1.5x the feature matrix; loader >= 20x the model.', '',
             '| freq | samples x features | windows | pipeline s wall (CPU) | of which: load, data module | peak RSS MiB | dataset memory |',
             '|---|---|---|---:|---|---:|---|']
    for freq, r in rows:
        lines.append(f"| {freq} | {r['samples']:,} x {r['features']} | {', '.join(f'{k} {v:,}' for k, v in r['windows'].items())} | {r['pipeline_s']:.2f} ({r['pipeline_cpu_s']:.2f}) | "
                     f"{r['load_s']:.2f} s, {r['module_s']:.2f} s (features alone {r['features_alone_s']:.2f} s, labels alone {r['labels_alone_s']:.2f} s) | "
                     f"{r['peak_rss_mib']:,.0f} (after imports {r['rss_after_imports_mib']:,.0f}) | {r['dataset_mib']:.1f} MiB = {r['dataset_ratio']:.2f}x the "
                     f"float32 feature matrix ({r['feature_matrix_mib']:.1f} MiB) |")
    lines += ['', '| freq | batch | loader windows/s | default model trains windows/s | loader / model |', '|---|---:|---:|---:|---:|']
    for freq, r in rows:
        for bs in args.batch:
            model = r.get(f'model_train_windows_per_s_b{bs}')
            lines.append(f"| {freq} | {bs} | {r[f'loader_windows_per_s_b{bs}']:,.0f} | " + ('— | — |' if model is None else
                         f"{model:,.0f} | {r[f'loader_over_model_b{bs}']:.0f}x |"))
    publish('bench_data', 'The data layer on the S&P 500 file', lines, write=not args.no_readme)

if __name__ == '__main__':
    main()
