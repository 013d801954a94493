#!/usr/bin/env python
"""How the daily pipeline scales: rows against seconds and peak memory, Parquet file -> `LSTMDataModule` (load, repairs, features, labels,
sample table, date split with purge, scaler, train/val/test windows), and what the feature cache saves.

    python bench/bench_scale.py                       # 1 M, 5 M and 20 M rows; writes its section of bench/README.md
    python bench/bench_scale.py --rows 1e6 50e6       # any sizes (50 M rows peaked at about 9 GiB here)
    python bench/bench_scale.py --rows 1e6 --no-readme
    python bench/bench_scale.py --rows 1e6 5e6 20e6 50e6 --cache-rows 1e6 20e6   # the cache runs at some sizes only
    git worktree add /tmp/ref 1348a22 && python bench/bench_scale.py --reference /tmp/ref  # also the code of another commit, same files

Synthetic daily prices (`make_synthetic_prices`, 10 years = 2,520 trading days per ticker, 100 tickers per seed) are written once per
size to a Parquet file in `--data-dir` (kept for later runs). Each measurement runs in a fresh process, so its peak RSS (`ru_maxrss`)
is its own: `pipeline` is `LSTMDataModule(path, freq='D')` without a cache; `cache write` the same with `cache_dir` set and the cache
empty (pipeline + writing the table); `cache read` the same again, which reads the table back (memory-mapped) instead of building it.
Wall and CPU seconds are both given. The pipeline's chunked steps run in `data_threads()` threads (`TRENDLSTM_THREADS`, else the
cores, at most 8), so its wall time can be below its CPU time; CPU time is the steadier figure on a shared machine.
This machine's speed changes from day to day (up to about 2x), so a figure from another day says little about the code:
`--reference DIR` also runs the pipeline with the package of another checkout (a `git worktree` of an earlier commit) on the
same files, in the order this, reference, reference, this (on these VMs a run right after another reuses the memory the first just
freed, which is much cheaper than memory taken back by the host: a fixed order favours the second), and gives the CPU and wall time
of this code's two runs over the reference's two.
The issue's bar: 50 M rows within 12 GB peak at >= 300k rows/s on 2 cores (rows over wall seconds).
"""
import argparse, json, os, platform, resource, shutil, subprocess, sys, tempfile, time, warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from readme import publish

DAYS, TICKERS_PER_SEED = 2520, 100


def write_prices(rows, path):
    "Write about `rows` synthetic daily rows (whole tickers of `DAYS` days) to the Parquet file `path`, 100 tickers at a time"
    import numpy as np, pyarrow as pa, pyarrow.parquet as pq
    from trendlstm.data import MAX_VOLUME, make_synthetic_prices
    n, writer = max(1, round(rows / DAYS)), None
    tmp = path.with_suffix('.tmp')
    for k in range(0, n, TICKERS_PER_SEED):
        m = min(TICKERS_PER_SEED, n - k)
        df = make_synthetic_prices(m, DAYS, seed=k)
        df['ticker'] = np.repeat([f'SYN{i:05d}' for i in range(k, k + m)], DAYS)
        df['volume'] = df['volume'].clip(upper=MAX_VOLUME)   # a rare fat-tailed shock can exceed what load_prices accepts
        table = pa.Table.from_pandas(df, preserve_index=False)
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
    writer.close()
    os.replace(tmp, path)


def huge_pages_faulted():
    "Transparent huge pages the kernel has faulted in since boot, all processes (None where there is no /proc/vmstat)"
    try:
        with open('/proc/vmstat') as f: return next(int(l.split()[1]) for l in f if l.startswith('thp_fault_alloc '))
    except (OSError, StopIteration): return None


def measure(path, cache_dir):
    "One pipeline run in this process: seconds, peak RSS and sizes (printed as JSON)"
    import torch, trendlstm
    from trendlstm.data import LSTMDataModule
    warnings.simplefilter('ignore'); torch.set_num_threads(1)
    r0, h0 = resource.getrusage(resource.RUSAGE_SELF), huge_pages_faulted()
    c0, t0 = time.process_time(), time.perf_counter()
    dm = LSTMDataModule(path, freq='D', cache_dir=cache_dir)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    r1, h1 = resource.getrusage(resource.RUSAGE_SELF), huge_pages_faulted()
    t = dm.table
    table_bytes = sum(getattr(t, k).numel() * getattr(t, k).element_size() for k in
                      ('features', 'forward_return', 'direction', 'close', 'trailing_returns', 'volatility', 'date', 'ticker'))
    print(json.dumps(dict(wall_s=wall, cpu_s=cpu, sys_s=r1.ru_stime - r0.ru_stime, page_faults=r1.ru_minflt - r0.ru_minflt,
                          huge_pages=None if h0 is None else h1 - h0,
                          peak_gb=r1.ru_maxrss / 2**20, imports_gb=r0.ru_maxrss / 2**20,
                          samples=t.features.shape[0], features_gb=t.features.numel() * 4 / 2**30, table_gb=table_bytes / 2**30,
                          windows=sum(len(d) for d in (dm.train_dataset, dm.val_dataset, dm.test_dataset)), package=trendlstm.__file__)))


def run_one(path, cache_dir=None, code=None):
    "`measure` in a fresh process, with the package of the checkout `code` (default: the installed one)"
    cmd = [sys.executable, __file__, '--measure', str(path)] + (['--cache-dir', str(cache_dir)] if cache_dir else [])
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS='1', **({'PYTHONPATH': str(code)} if code else {})))
    if out.returncode: sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if code and not Path(r['package']).resolve().is_relative_to(Path(code).resolve()):
        sys.exit(f"--reference {code}: the measurement imported trendlstm from {r['package']}, not from there; pass a checkout of this repository")
    return r


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rows', nargs='+', type=float, default=[1e6, 5e6, 20e6])
    p.add_argument('--data-dir', default=str(Path(tempfile.gettempdir()) / 'trendlstm-bench-scale'), help='where the Parquet files are kept')
    p.add_argument('--cache-rows', nargs='*', type=float, help='sizes with the cache write/read runs (default: every size; none: no value)')
    p.add_argument('--reference', help="a checkout of other code (e.g. a git worktree of an earlier commit) whose pipeline also runs on each file")
    p.add_argument('--no-readme', action='store_true')
    p.add_argument('--measure', help=argparse.SUPPRESS); p.add_argument('--cache-dir', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.measure: return measure(a.measure, a.cache_dir)
    data_dir = Path(a.data_dir); data_dir.mkdir(parents=True, exist_ok=True)
    if a.reference and not (Path(a.reference) / 'trendlstm' / '__init__.py').is_file():
        p.error(f'--reference {a.reference}: no trendlstm package there; pass a checkout of this repository (git worktree add DIR COMMIT)')
    ref = a.reference and subprocess.run(['git', '-C', a.reference, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
    load0 = os.getloadavg()
    from trendlstm.features import data_threads
    threads = data_threads()
    print(f'machine: {platform.node()}, {os.cpu_count()} cpus, load average {load0}, python {platform.python_version()}')
    rows_out = []
    for rows in a.rows:
        path = data_dir / f'prices_{int(rows):d}.parquet'
        if not path.exists():
            t = time.perf_counter(); write_prices(int(rows), path); print(f'wrote {path} in {time.perf_counter() - t:.0f} s', flush=True)
        runs = dict(pipeline=run_one(path))
        if ref:   # this, reference, reference, this: a run right after another reuses the memory it just freed, which is cheaper here
            runs[f'pipeline, code of {ref}'] = run_one(path, code=a.reference)
            runs[f'pipeline, code of {ref}, again'] = run_one(path, code=a.reference)
            runs['pipeline, again'] = run_one(path)
        if a.cache_rows is None or rows in a.cache_rows:
            cache = data_dir / f'cache_{int(rows):d}'
            shutil.rmtree(cache, ignore_errors=True)
            runs['cache write'] = run_one(path, cache); runs['cache read'] = run_one(path, cache)
            shutil.rmtree(cache, ignore_errors=True)
        n = int(round(rows / DAYS)) * DAYS
        for kind, r in runs.items():
            rows_out.append((n, kind, r))
            print(f"{n:>12,} rows {kind:11s}: {r['wall_s']:7.1f} s wall, {r['cpu_s']:7.1f} s CPU ({n / r['cpu_s']:,.0f} rows/s CPU; "
                  f"{r['sys_s']:.1f} s in the kernel, {r['page_faults']:,} minor page faults, {r['huge_pages']} huge pages), "
                  f"peak RSS {r['peak_gb']:.2f} GiB (after imports {r['imports_gb']:.2f}); table {r['table_gb']:.2f} GiB "
                  f"(features {r['features_gb']:.2f} GiB float32), {r['windows']:,} windows", flush=True)
    lines = [f"Synthetic daily prices in Parquet ({DAYS:,} trading days per ticker), `LSTMDataModule(path, freq='D')` with the default "
             f"data config, each run in a fresh process (peak RSS = `ru_maxrss` of that process, imports included); load average "
             f"{load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} cores; this code's chunked steps in {threads} threads). "
             "CPU s counts time in the kernel too, given apart as 'of which kernel s' (page faults on the first touch of newly allocated "
             "memory, and reading the file); 'page faults' counts the process's minor page faults (`ru_minflt`: pages it touched for the first time, each 4 KiB unless huge). 'Huge pages' counts the 2 MiB pages the kernel faulted in during the run (`thp_fault_alloc` "
             "of `/proc/vmstat`, all processes), each zeroed whole on first touch.", '',
             '| rows | run | wall s | CPU s | of which kernel s | page faults | rows/s (CPU) | rows/s (wall) | peak RSS GiB | huge pages | table GiB | float32 features GiB |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    lines += [f"| {n:,} | {kind} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['sys_s']:.1f} | {r['page_faults']:,} | {n / r['cpu_s']:,.0f} | {n / r['wall_s']:,.0f} | {r['peak_gb']:.2f} | {r['huge_pages'] if r['huge_pages'] is not None else 'n/a'} | "
              f"{r['table_gb']:.2f} | {r['features_gb']:.2f} |" for n, kind, r in rows_out]
    if ref:
        by = {(n, kind): r for n, kind, r in rows_out}
        ratio = lambda n, k: ((by[n, 'pipeline'][k] + by[n, 'pipeline, again'][k])
                              / (by[n, f'pipeline, code of {ref}'][k] + by[n, f'pipeline, code of {ref}, again'][k]))
        lines += ['', f"This code's CPU time and wall time over the code of {ref}'s (two runs each, in the order this, {ref}, {ref}, this, on the same files): " +
                  ', '.join(f"{n:,} rows {ratio(n, 'cpu_s'):.2f}x and {ratio(n, 'wall_s'):.2f}x" for n, kind, _ in rows_out if kind == 'pipeline') + '.']
    pipe = [(n, r) for n, kind, r in rows_out if kind == 'pipeline']
    n = pipe[-1][0]
    each = lambda f, fmt=',.0f': ' and '.join(format(f(r), fmt) for m, kind, r in rows_out if m == n and kind in ('pipeline', 'pipeline, again'))
    lines += ['', f"{n:,} rows, this code: {each(lambda r: n / r['wall_s'])} rows/s of wall time on {os.cpu_count()} cores, "
                  f"{each(lambda r: n / r['cpu_s'])} rows/s of CPU time, {each(lambda r: n / (r['cpu_s'] - r['sys_s']))} rows/s of user time alone, "
                  f"peak RSS {each(lambda r: r['peak_gb'], '.2f')} GiB (the issue's bar: 50 M rows at >= 300k rows/s on 2 cores, within 12 GB = 11.18 GiB)."]
    if len(pipe) >= 2 and max(a.rows) < 50e6:
        (n0, r0), (n1, r1) = pipe[-2], pipe[-1]
        per_row = (r1['peak_gb'] - r0['peak_gb']) / (n1 - n0)
        lines += ['', f"Peak memory grows by {per_row * 2**30:.0f} bytes per row between the two largest sizes; extrapolated to 50 M rows: "
                      f"{r1['peak_gb'] + per_row * (50e6 - n1):.1f} GiB (bar 12 GB = 11.18 GiB), extrapolated, not measured."]
    publish('bench_scale', 'Scale: the daily pipeline from 1 M rows up', lines, write=not a.no_readme)


if __name__ == '__main__': main()
