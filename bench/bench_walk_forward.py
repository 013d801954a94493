#!/usr/bin/env python
"""Time of `walk_forward_evaluate(prices)` with its defaults on a handful of S&P 500 tickers, serial and in processes.

    python bench/bench_walk_forward.py                  # 6 tickers, serial vs n_jobs=2, 2 interleaved rounds; writes its section of bench/README.md
    python bench/bench_walk_forward.py --rounds 3 --tickers AAPL MSFT --jobs 2 4
    python bench/bench_walk_forward.py --seeds 0 1 2    # the three-seed call (the former default) as well
    python bench/bench_walk_forward.py --seeds 0 1 2 --full-model --rounds 1   # ... and the call as it was before the presets and the design

Reads the shared `sp500_5yr.csv.gz` (`trendlstm.data.sp500_path`: `../shared/data/` beside the project, or the
`TRENDLSTM_SP500` variable) and keeps the named tickers. Every variant is the same default call: 3 expanding folds,
the package's default design (`trendlstm.evaluate.default_design()`: daily price-history windows, the IC loss on date
batches, `LSTMModelConfig.small()`, `LSTMTrainingConfig.walk_forward()`), every baseline; only `n_jobs` changes (and, with
`--seeds`, a variant with those seeds added; with `--full-model`, one with those seeds and the call as it was before the
presets and the design: `LSTMModelConfig()`, `LSTMTrainingConfig()` (100 epochs), the data layer's default weekly
windows of engineered features and `LSTMLossConfig()`, serial and with each `--jobs`: long trainings). Each run starts
from a fresh pool of worker processes (the loky pool is shut down after every call), so the process start-up a
first parallel call pays is in its time. Variants alternate within each round (the order rotates); the table gives
the fastest round of each (load only ever slows a run down): wall seconds, and CPU seconds of this process plus its
worker processes (on a shared machine wall time also measures the neighbours; CPU time is the work done).
"""
import argparse, os, resource, sys, time, warnings
from pathlib import Path
import torch
from joblib.externals.loky import get_reusable_executor
from trendlstm.data import LSTMSequenceConfig, load_prices, sp500_path
from trendlstm.loss import LSTMLossConfig
from trendlstm.evaluate import walk_forward_evaluate
from trendlstm.model import LSTMModelConfig
from trendlstm.trainer import LSTMTrainingConfig

sys.path.insert(0, str(Path(__file__).parent))
from readme import publish

TICKERS = ('AAPL', 'MSFT', 'JPM', 'XOM', 'JNJ', 'WMT')


def children_cpu()->float:
    "CPU seconds of the finished, reaped child processes"
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed_call(prices, n_jobs:int, options:dict)->tuple:
    "Wall seconds, CPU seconds (this process and its workers), epochs trained and trainings of one call (the defaults but `options`)"
    w, c, cc = time.perf_counter(), time.process_time(), children_cpu()
    results = walk_forward_evaluate(prices, n_jobs=n_jobs, **options)
    wall = time.perf_counter() - w
    get_reusable_executor().shutdown(wait=True)  # reap the workers, so their CPU time is counted (and the next call starts them afresh)
    epochs = sum(len(h['epoch']) for h in results.histories.values())
    return wall, time.process_time() - c + children_cpu() - cc, epochs, len(results.histories)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--tickers', nargs='+', default=list(TICKERS)); p.add_argument('--jobs', type=int, nargs='+', default=[2])
    p.add_argument('--seeds', type=int, nargs='+', default=None, help='also time the call with these seeds (serial)')
    p.add_argument('--full-model', action='store_true', help='also time the call with --seeds as it was before the presets and the design: LSTMModelConfig(), LSTMTrainingConfig(), LSTMSequenceConfig(), LSTMLossConfig()')
    p.add_argument('--rounds', type=int, default=2); p.add_argument('--no-readme', action='store_true')
    a = p.parse_args()
    if a.full_model and not a.seeds: p.error('--full-model needs --seeds, e.g. --seeds 0 1 2')
    torch.set_num_threads(1); warnings.simplefilter('ignore')
    path = sp500_path()
    if path is None: sys.exit('bench_walk_forward: sp500_5yr.csv.gz not found; set TRENDLSTM_SP500 to its path.')
    prices = load_prices(path)
    prices = load_prices(prices[prices.ticker.isin(a.tickers)].reset_index(drop=True))
    variants = {'serial (n_jobs=1)': (1, {}), **{f'n_jobs={j}': (j, {}) for j in a.jobs}}
    if a.seeds: variants[f"seeds={tuple(a.seeds)}, serial"] = (1, dict(seeds=tuple(a.seeds)))
    if a.full_model:
        full = dict(seeds=tuple(a.seeds), model_config=LSTMModelConfig(), training_config=LSTMTrainingConfig(checkpoint_dir=None, show_progress=False),
                    data_config=LSTMSequenceConfig(), loss_config=LSTMLossConfig())
        variants |= {f"seeds={tuple(a.seeds)}, the call before the presets and the design, {'serial' if j == 1 else f'n_jobs={j}'}": (j, full) for j in (1, *a.jobs)}
    names, runs = list(variants), {k: [] for k in variants}
    load0 = os.getloadavg()
    for r in range(a.rounds):
        for k in names[r % len(names):] + names[:r % len(names)]:
            runs[k].append(timed_call(prices, *variants[k]))
        print(f'round {r}: ' + ', '.join(f'{k} {runs[k][-1][0]:.1f} s wall, {runs[k][-1][1]:.1f} s CPU' for k in names), flush=True)
    best = {k: min(v) for k, v in runs.items()}  # the fastest round (by wall time)
    ref = best[names[0]][0]
    lines = [f"`walk_forward_evaluate(prices)` with its defaults (`default_design()`) on {prices.ticker.nunique()} S&P 500 tickers ({', '.join(sorted(prices.ticker.unique()))}; "
             f"{len(prices):,} daily rows, {prices.date.min():%Y-%m-%d} to {prices.date.max():%Y-%m-%d}), {os.cpu_count()} cores; fastest of {a.rounds} "
             f"interleaved rounds; load average {load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.", '',
             '| variant | trainings | epochs trained | wall seconds | CPU seconds (all processes) | wall time (x serial) |', '|---|---|---|---|---|---|']
    lines += [f'| {k} | {best[k][3]} | {best[k][2]} | {best[k][0]:.1f} | {best[k][1]:.1f} | {best[k][0] / ref:.2f}x |' for k in names]
    publish('bench_walk_forward', 'Walk-forward evaluation: the default call, serial and in processes', lines, write=not a.no_readme)


if __name__ == '__main__': main()
