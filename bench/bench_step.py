#!/usr/bin/env python
"""The CPU training step against a bare PyTorch loop with the same LSTM (issue #13, item 1).

    python bench/bench_step.py                          # batch 32 and 256, 5 interleaved rounds in each of 3 processes, 1 torch thread
    python bench/bench_step.py --rounds 7 --samples 16384
    python bench/bench_step.py --profile                # also: torch.profiler table of the trendlstm step at batch 32
    python bench/bench_step.py --parts                  # where trendlstm's step goes: its parts added one at a time (own README section)
    python bench/bench_step.py --pooling                # the attention pooling alone against nn.MultiheadAttention (own README section)
    python bench/bench_step.py --kernels --batch-sizes 32 128 256 512 1024  # torch's two CPU LSTM kernels (own README section)

Data: weekly windows of 12 weeks of the S&P 500 sample (`../shared/data/sp500_5yr.csv.gz`, the default `LSTMDataModule`),
built once. Every variant trains on the training windows for `--samples` windows per round (the batches are capped so a
run takes minutes; the models keep training from round to round):
- `bare`: the floor, a minimal loop: `nn.LSTM` (2 layers x 128, unidirectional) + `nn.Linear` on the last step, MSE on the
  trend labels, AdamW (torch defaults), on the windows pre-gathered into one tensor (shuffled once) and sliced per batch;
- `bare_again`: the same loop on a second copy, an A/A comparison: its ratio to `bare` is the measurement noise;
- `bare_dropout`: the bare loop with the same LSTM as trendlstm's, inter-layer dropout included
  (`nn.LSTM(dropout=EncoderConfig().dropout_rate)`, 0.2): the second reference, same shape and same dropout;
- `trendlstm`: trendlstm's training loader (the one `LSTMTrainer.fit` builds, `_fit_loaders`) and training pass
  (`LSTMTrainer._train_epoch`) with the
  peers' shape: `LSTMModelConfig` with bidirectional=False, hidden_dim=128, num_lstm_layers=2 (plus its attention
  pooling and two heads), the default loss, optimizer and gradient clipping;
- `trendlstm_no_dropout`: `trendlstm` with dropout_rate=0 and head_dropout=0, to show what the default dropout (between the
  LSTM layers and in the heads; the bare loop has none) costs;
- `trendlstm_default`: the same pass with the default model (bidirectional), for reference;
- `bare_dataloader` (only with `--variants`): the bare loop fed the way most hand-written loops are, by a
  `DataLoader(TensorDataset(x, y), batch_size, shuffle=True)`, to show how much the choice of floor matters;
- `trendlstm_compiled` (only with `--variants`): `trendlstm` with its attention, heads and loss compiled by `torch.compile`
  (`nn.Module.compile`; the LSTM is oneDNN's already), to decide whether the trainer should offer it;
- `bare_native`, `trendlstm_native` (only with `--variants`): `bare` and `trendlstm` with torch's native CPU LSTM kernel
  instead of oneDNN's (`torch.backends.mkldnn.enabled = False` while they run; see `--kernels`).
`--pooling` times the attention pooling alone, forward and backward on random day outputs: `AttentionLayer` (one query
pushed through the key projection, the raw days pooled, then projected per head) against `nn.MultiheadAttention` called
with the same weights and the same single query (it projects every day into keys and values first).
`--kernels` times an `nn.LSTM` alone, forward and backward of all its outputs on random windows of 12 days x 19 features,
with torch's two CPU kernels: oneDNN's (`mkldnn_rnn_layer`, torch's choice for float32 on CPU) and torch's native one
(`torch.backends.mkldnn.enabled = False`: the input projection of all days at once, then one cell per day), for the
peers' shape, the default model's encoder and the `small()` preset's, to decide whether the trainer should choose the kernel.
Also, the training loaders alone (`--no-loaders` skips it): the `DataLoader` the trainer uses on CPU against
`DeviceDataLoader` (`trendlstm.device_data`, a permutation slice and one gather per batch, the CUDA path) on the host,
milliseconds per batch, to decide whether the CPU path should use the latter.
Variants alternate within each round (the order rotates every round), and the rounds of `--processes` fresh processes
(3 by default), run one after the other, are pooled: within one process a variant's speed relative to another is steady,
but it moves from process to process, most likely with the load other jobs put on the shared host, which CPU time does
not remove; a line under the table gives each process's own ratio and bare-loop speed, so one run's spread is on record.
One process's ratio is not the code's. The clock is process CPU time (on a shared machine wall time mostly measures the neighbours); samples/s are the median over rounds, ratios the median of the per-round ratios,
against `bare` (the issue's reference) and against `bare_dropout`.
"""
import argparse, contextlib, itertools, json, os, statistics, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import torch, torch.nn as nn
from trendlstm.data import LSTMDataModule, load_prices, sp500_path
from trendlstm.model import create_lstm_model, EncoderConfig, AttentionLayer
from trendlstm.trainer import LSTMTrainer, LSTMTrainingConfig, _clip_grad_norm
from trendlstm.device_data import DeviceDataLoader

sys.path.insert(0, str(Path(__file__).parent))
from readme import publish

PEERS = dict(bidirectional=False, hidden_dim=128, num_lstm_layers=2)  # the peers' model shape
DROPOUT = EncoderConfig().dropout_rate  # trendlstm's default dropout between the LSTM layers, given to `bare_dropout`
VARIANTS = ('bare', 'bare_again', 'bare_dropout', 'trendlstm', 'trendlstm_no_dropout', 'trendlstm_default')
OPTIONAL = ('bare_dataloader', 'trendlstm_compiled', 'bare_native', 'trendlstm_native')  # run only when --variants names them


class Bare(nn.Module):
    "The bare loop's model: LSTM + a linear layer on the last step"
    def __init__(self, input_dim, n_out, dropout=0.0):
        super().__init__()
        self.lstm = nn.LSTM(input_dim, 128, num_layers=2, batch_first=True, dropout=dropout)
        self.linear = nn.Linear(128, n_out)
    def forward(self, x): return self.linear(self.lstm(x)[0][:, -1])


@contextlib.contextmanager
def lstm_kernel(native:bool):
    "Run the block with torch's native CPU LSTM kernel (`native`) or oneDNN's, torch's choice (the `flags` context manager also warns about TF32)"
    before, torch.backends.mkldnn.enabled = torch.backends.mkldnn.enabled, not native   # read by each LSTM call's kernel choice
    try: yield
    finally: torch.backends.mkldnn.enabled = before


class BareRun:
    "A bare training loop over pre-gathered windows, sliced per batch"
    def __init__(self, x, y, batch_size, seed, dropout=0.0, native=False):
        torch.manual_seed(seed)
        self.model, self.x, self.y, self.bs, self.pos, self.native = Bare(x.shape[-1], y.shape[-1], dropout), x, y, batch_size, 0, native
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=1e-3)
    def batch(self):
        "The next slice of the pre-gathered windows"
        if self.pos + self.bs > len(self.x): self.pos = 0
        self.pos += self.bs
        return self.x[self.pos - self.bs:self.pos], self.y[self.pos - self.bs:self.pos]
    def __call__(self, n_batches):
        self.model.train()
        with lstm_kernel(self.native):
            for _ in range(n_batches):
                xb, yb = self.batch()
                self.opt.zero_grad(set_to_none=True)
                nn.functional.mse_loss(self.model(xb), yb).backward()
                self.opt.step()


class BareDataLoaderRun(BareRun):
    "The bare loop fed by a shuffling `DataLoader` over a `TensorDataset` (a fresh epoch when one runs out)"
    def __init__(self, x, y, batch_size, seed):
        super().__init__(x, y, batch_size, seed)
        self.loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                                                  generator=torch.Generator().manual_seed(seed))
        self.batches = iter(self.loader)
    def batch(self):
        "The loader's next batch"
        xb, yb = next(self.batches, (None, None))
        if xb is None: self.batches = iter(self.loader); xb, yb = next(self.batches)
        return xb, yb


class TrendRun:
    "trendlstm's training loader (as `fit` builds it) and `LSTMTrainer._train_epoch`, capped at `n_batches` per call"
    def __init__(self, dm, batch_size, seed, native=False, **model):
        torch.manual_seed(seed)
        self.native = native
        cfg = LSTMTrainingConfig(batch_size=batch_size, show_progress=False, checkpoint_dir=None, seed=seed, scheduler='none', device='cpu')
        self.trainer = LSTMTrainer(create_lstm_model(input_dim=len(dm.feature_names), **model), config=cfg)
        self.loader, self.epoch = self.trainer._fit_loaders(dm, None)[0], 0
    def compile(self):
        "Compile the attention, the heads and the loss (not the LSTM) in place"
        m = self.trainer.model
        for module in (m.attention, *m.heads.values(), self.trainer.loss_fn): module.compile()
        return self
    def __call__(self, n_batches):
        self.epoch += 1
        with lstm_kernel(self.native): return self.trainer._train_epoch(itertools.islice(self.loader, n_batches), self.epoch)


def cpu_seconds(run, n_batches):
    c = time.process_time(); run(n_batches)
    return time.process_time() - c


def loader_ms(dm, batch_size, n_batches, rounds):
    "Median CPU milliseconds per batch of the training DataLoader and of `DeviceDataLoader` on the host (interleaved rounds)"
    ds, ms = dm.train_dataset, {'DataLoader': [], 'DeviceDataLoader': []}
    loaders = dict(DataLoader=ds.dataloader(batch_size, shuffle=True, seed=0), DeviceDataLoader=DeviceDataLoader(ds, batch_size, shuffle=True, seed=0))
    for _ in range(rounds):
        for k, loader in loaders.items():
            c = time.process_time()
            for _ in itertools.islice(loader, n_batches): pass
            ms[k].append((time.process_time() - c) / n_batches * 1e3)
    return {k: statistics.median(v) for k, v in ms.items()}


def profile_step(dm, batch_size, n_batches, rows=25):
    "torch.profiler table (self CPU time) of trendlstm's pass with the peers' shape"
    from torch.profiler import profile, ProfilerActivity
    run = TrendRun(dm, batch_size, 0, **PEERS)
    run(10)
    with profile(activities=[ProfilerActivity.CPU]) as prof: run(n_batches)
    print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=rows))


PARTS = ('bare', 'encoder', 'model', 'loss', 'step', 'pass')
PART_NAMES = dict(bare='the bare loop (for scale)', encoder='encoder: forward + backward (LSTM, dropout between layers)',
                  model='+ attention pooling and the two heads', loss='+ the multi-task loss', step='+ clipping and AdamW',
                  pass_='+ the loader and `_train_epoch`\'s bookkeeping: the training pass')


def part_runs(dm, x, y, bs, n_batches)->dict:
    "Callables timing trendlstm's step (peers' shape) cut after each part, on the same pre-fetched batches, and the bare loop"
    run = TrendRun(dm, bs, 0, **PEERS)
    tr, m = run.trainer, run.trainer.model
    batches, params = list(itertools.islice(run.loader, n_batches)), [q for q in m.parameters()]
    def outputs_sum(o): return o['trend'].sum() + o['direction_logits'].sum() + o['attention'].sum()
    def upto(part):
        def go(_):   # every batch, whatever the count asked (the batches are fixed)
            m.train()
            for b in batches:
                tr.optimizer.zero_grad(set_to_none=True)   # every cut writes fresh gradients, as the step does
                if part == 'encoder': m.encoder(b['features'])[0].sum().backward(); continue
                out = m(b['features'])
                (tr.loss_fn(out, b)[0] if part in ('loss', 'step') else outputs_sum(out)).backward()
                if part == 'step': _clip_grad_norm(params, tr.config.max_grad_norm); tr.optimizer.step()
        return go
    return dict(bare=BareRun(x, y, bs, 0), **{k: upto(k) for k in ('encoder', 'model', 'loss', 'step')}, **{'pass': run})


def interleaved(runs:dict, rounds:int, n_batches:int, label:str, per=1.0)->dict:
    "CPU seconds (times `per`) of each run per round, the order rotating every round; prints each round"
    names, cpu = list(runs), {k: [] for k in runs}
    for r in range(rounds):
        for k in names[r % len(names):] + names[:r % len(names)]: cpu[k].append(cpu_seconds(runs[k], n_batches) * per)
        print(f'{label}, round {r}: ' + ', '.join(f'{k} {cpu[k][-1]:.4g}' for k in names), flush=True)
    return cpu


def measure_parts(a, dm, x, y)->list:
    "Markdown lines: CPU ms per batch of each cut of the step, and what each part adds (medians of interleaved rounds, one process)"
    lines = [f'trendlstm\'s step with the peers\' shape, cut after each part (each row adds one part to the row above), on the same '
             f'{a.samples:,} pre-fetched windows per round (the last row: its own loader), {a.rounds} interleaved rounds in one process, '
             f'{a.threads} torch thread(s), process CPU time; ms per batch: median over rounds; "adds": the median of the per-round differences.', '',
             '| part | ' + ' | '.join(f'batch {bs}: ms per batch | adds' for bs in a.batch_sizes) + ' |', '|---|' + '---:|---:|' * len(a.batch_sizes)]
    ms = {}
    for bs in a.batch_sizes:
        n_batches = max(a.samples // bs, 1)
        runs = part_runs(dm, x, y, bs, n_batches)
        for r in runs.values(): r(min(3, n_batches))   # warm-up (the cuts run all their batches)
        ms[bs] = interleaved(runs, a.rounds, n_batches, f'batch {bs} (ms per batch)', per=1e3 / n_batches)
    for i, k in enumerate(PARTS):
        cells = []
        for bs in a.batch_sizes:
            c = ms[bs]
            adds = '' if i < 2 else f'{statistics.median(u - v for u, v in zip(c[k], c[PARTS[i - 1]])):+.2f}'
            cells += [f'{statistics.median(c[k]):.2f}', adds]
        lines.append(f"| {PART_NAMES['pass_' if k == 'pass' else k]} | {' | '.join(cells)} |")
    return lines


def pooling_runs(D:int, bs:int, T:int=12)->dict:
    "Callables `run(n)`: n forward + backward passes of the package's pooling and of `nn.MultiheadAttention` with its weights"
    torch.manual_seed(0)
    layer, seq = AttentionLayer(D), torch.randn(bs, T, D, requires_grad=True)
    query = layer.query.expand(bs, -1, -1)
    def backward(pooled, weights): (pooled.sum() + weights.sum()).backward()
    def package(n):
        for _ in range(n): backward(*layer(seq))
    def mha(n):
        for _ in range(n): backward(*layer.attn(query, seq, seq, need_weights=True, average_attn_weights=False))
    return dict(AttentionLayer=package, MultiheadAttention=mha)


def two_way_table(a, what:str, header:str, cases:dict, make_runs, unit:str, per, fmt:str, suffix:str='', note:str='')->list:
    "Markdown lines: `what`, the method, then rows `| case | batch | first | second | second / first |` (medians of interleaved rounds of `make_runs(case, batch)`)"
    rows = [f'{what}, {a.samples:,} windows per variant per round, {a.rounds} interleaved rounds in one process, {a.threads} torch thread(s), '
            f'process CPU time; {unit}: median over rounds; ratio: the median of the per-round ratios{note}.', '', header, '|---|---:|---:|---:|---:|']
    for name, case in cases.items():
        for bs in a.batch_sizes:
            n = max(a.samples // bs, 1)
            runs = make_runs(case, bs)
            for r in runs.values(): r(3)  # warm-up
            (_, first), (_, second) = interleaved(runs, a.rounds, n, f'{name}, batch {bs} ({unit})', per=per(n, bs)).items()
            ratio = statistics.median(q / p for p, q in zip(first, second))
            rows.append(f"| {name} | {bs} | {statistics.median(first):{fmt}} | {statistics.median(second):{fmt}} | {ratio:.2f}{suffix} |")
    return rows


def measure_pooling(a)->list:
    "Markdown lines: CPU ms of one forward + backward of the pooling, the package's against nn.MultiheadAttention (interleaved rounds)"
    widths = {"peers' shape: 128 (unidirectional)": 128, 'default model: 256 (bidirectional)': 256}
    return two_way_table(a, 'The attention pooling alone (4 heads, learned query), forward + backward on random day outputs of 12 steps',
                         '| encoder output | batch | `AttentionLayer` ms | `nn.MultiheadAttention` ms | MultiheadAttention / AttentionLayer |',
                         widths, pooling_runs, 'ms per call', lambda n, bs: 1e3 / n, '.3f', 'x')


KERNEL_SHAPES = {"peers' shape (128 x 2, unidirectional)": dict(hidden_size=128, num_layers=2, bidirectional=False),
                 "default model's encoder (128 x 2, bidirectional)": dict(hidden_size=128, num_layers=2, bidirectional=True),
                 "`small()` preset's encoder (32 x 1, bidirectional)": dict(hidden_size=32, num_layers=1, bidirectional=True)}

def kernel_runs(shape:dict, bs:int, T:int=12, F:int=19)->dict:
    "Callables `run(n)`: n forward + backward passes of one `nn.LSTM` with oneDNN's kernel and with torch's native one"
    torch.manual_seed(0)
    lstm, x = nn.LSTM(F, batch_first=True, **shape), torch.randn(bs, T, F)
    def run(native):
        def go(n):
            with lstm_kernel(native):
                for _ in range(n): lstm(x)[0].sum().backward()
        return go
    return dict(onednn=run(False), native=run(True))


def measure_kernels(a)->list:
    "Markdown lines: CPU microseconds per window of an LSTM's forward + backward with oneDNN's kernel and torch's native one (interleaved rounds)"
    return two_way_table(a, 'One `nn.LSTM` alone, forward + backward of all its outputs on random windows of 12 days x 19 features',
                         '| LSTM | batch | oneDNN us per window | native us per window | native / oneDNN |', KERNEL_SHAPES, kernel_runs,
                         'us per window', lambda n, bs: 1e6 / (n * bs), '.0f', note=' (below 1: the native kernel is faster)')


def measure(a, dm, x, y)->dict:
    "This process's interleaved rounds: per batch size, the windows per round, CPU seconds per variant and round, parameters"
    res = {}
    for bs in a.batch_sizes:
        n_batches = max(a.samples // bs, 1)
        make = dict(bare=lambda: BareRun(x, y, bs, 0), bare_again=lambda: BareRun(x, y, bs, 0), bare_dropout=lambda: BareRun(x, y, bs, 0, DROPOUT), bare_dataloader=lambda: BareDataLoaderRun(x, y, bs, 0),
                    trendlstm=lambda: TrendRun(dm, bs, 0, **PEERS), trendlstm_no_dropout=lambda: TrendRun(dm, bs, 0, **PEERS, dropout_rate=0.0, head_dropout=0.0),
                    trendlstm_default=lambda: TrendRun(dm, bs, 0), trendlstm_compiled=lambda: TrendRun(dm, bs, 0, **PEERS).compile(),
                    bare_native=lambda: BareRun(x, y, bs, 0, native=True), trendlstm_native=lambda: TrendRun(dm, bs, 0, native=True, **PEERS))
        runs = {k: make[k]() for k in VARIANTS + OPTIONAL if k == 'bare' or (k in a.variants and not (a.no_default and k == 'trendlstm_default'))}
        for r in runs.values(): r(3)  # warm-up
        cpu = interleaved(runs, a.rounds, n_batches, f'batch {bs} (CPU seconds)')
        res[bs] = dict(n=n_batches * bs, cpu=cpu, params={k: sum(q.numel() for q in (v.model if isinstance(v, BareRun) else v.trainer.model).parameters())
                                                          for k, v in runs.items()})
    return res


def pooled(a)->dict:
    "The rounds of `a.processes` fresh processes, pooled (a variant's speed relative to another differs from process to process)"
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.processes):
            f = Path(tmp) / f'{i}.json'
            print(f'process {i + 1} of {a.processes}', flush=True)
            subprocess.run([sys.executable, __file__, *sys.argv[1:], '--processes', '1', '--no-loaders', '--no-readme', '--child', str(f)], check=True)
            for bs, r in json.loads(f.read_text()).items():
                o = out.setdefault(int(bs), dict(n=r['n'], params=r['params'], cpu={k: [] for k in r['cpu']}, per_process=[]))
                for k, v in r['cpu'].items(): o['cpu'][k] += v
                o['per_process'].append(r['cpu'])
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[32, 256])
    p.add_argument('--rounds', type=int, default=5); p.add_argument('--samples', type=int, default=8192, help='windows per variant per round')
    p.add_argument('--threads', type=int, default=1); p.add_argument('--no-default', action='store_true', help='skip the default-model row')
    p.add_argument('--variants', nargs='+', choices=VARIANTS + OPTIONAL, default=VARIANTS, help='the variants to run (bare is always run)')
    p.add_argument('--profile', action='store_true', help='print a profile of the trendlstm step at the first batch size and stop')
    p.add_argument('--parts', action='store_true', help='time the parts of the trendlstm step instead (section bench_step_parts of the README)')
    p.add_argument('--pooling', action='store_true', help='time the attention pooling alone against nn.MultiheadAttention (section bench_step_pooling)')
    p.add_argument('--kernels', action='store_true', help="time torch's two CPU LSTM kernels, oneDNN's and the native one (section bench_step_kernels)")
    p.add_argument('--processes', type=int, default=3, help='fresh processes whose rounds are pooled (1: this process only)')
    p.add_argument('--child', help=argparse.SUPPRESS)
    p.add_argument('--no-readme', action='store_true'); p.add_argument('--no-loaders', action='store_true', help='skip the loaders-alone table')
    a = p.parse_args()
    if a.processes < 1: p.error(f'--processes {a.processes}: give 1 or more')
    torch.set_num_threads(a.threads); torch.set_flush_denormal(True); warnings.simplefilter('ignore')
    if a.pooling or a.kernels:  # random inputs: no data needed
        key, title, measure_two = (('bench_step_pooling', 'The attention pooling against nn.MultiheadAttention (CPU)', measure_pooling) if a.pooling
                                   else ('bench_step_kernels', "torch's two CPU LSTM kernels (CPU)", measure_kernels))
        load0, lines = os.getloadavg(), measure_two(a)
        lines[0] += f' Load average (1 min) {load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.'
        return publish(key, title, lines, write=not a.no_readme)
    path = sp500_path()
    if path is None: sys.exit('the S&P 500 sample ../shared/data/sp500_5yr.csv.gz is not there (set TRENDLSTM_SP500 to its path)')
    load0 = os.getloadavg()
    dm = LSTMDataModule(load_prices(path))
    if a.profile: return profile_step(dm, a.batch_sizes[0], max(a.samples // a.batch_sizes[0], 1))
    all_rows = dm.train_dataset[torch.randperm(len(dm.train_dataset), generator=torch.Generator().manual_seed(0))]
    x, y = all_rows['features'], all_rows['trend']
    print(f'torch {torch.__version__}, {torch.get_num_threads()} thread(s), {len(x):,} training windows {tuple(x.shape[1:])}, load average {load0[0]:.2f}', flush=True)
    if a.parts:
        lines = measure_parts(a, dm, x, y)
        lines[0] += f' Load average (1 min) {load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.'
        return publish('bench_step_parts', 'Where the trendlstm step goes (CPU)', lines, write=not a.no_readme)
    res = measure(a, dm, x, y) if a.processes == 1 else pooled(a)
    if a.child: return Path(a.child).write_text(json.dumps(res))
    loaders = {} if a.no_loaders else {bs: loader_ms(dm, bs, max(a.samples // bs, 1), a.rounds) for bs in a.batch_sizes}
    load1 = os.getloadavg()
    names = list(res[a.batch_sizes[0]]['cpu'])
    what = dict(bare='bare PyTorch loop (LSTM 2x128 + linear, MSE, AdamW)', bare_again='bare loop again (A/A)',
                bare_dropout=f'bare loop, LSTM with dropout {DROPOUT} between its layers (as trendlstm\'s)',
                bare_dataloader='bare loop fed by `DataLoader(TensorDataset(x, y), shuffle=True)`',
                trendlstm='trendlstm, peers\' shape (its loader + `LSTMTrainer._train_epoch`)', trendlstm_no_dropout='trendlstm, peers\' shape, dropout 0 (LSTM and heads)', trendlstm_default='trendlstm default model (bidirectional)',
                trendlstm_compiled='trendlstm, peers\' shape, attention, heads and loss compiled (`torch.compile`)',
                bare_native='bare loop, torch\'s native LSTM kernel (`torch.backends.mkldnn.enabled = False`)', trendlstm_native='trendlstm, peers\' shape, torch\'s native LSTM kernel')
    refs = ['bare'] + (['bare_dropout'] if 'bare_dropout' in names else [])
    def ratio(bs, k, ref): return statistics.median(b / t for t, b in zip(res[bs]['cpu'][k], res[bs]['cpu'][ref]))
    head = ' | '.join(f'batch {bs}: samples/s | vs bare' + (' | vs bare + dropout' if len(refs) > 1 else '') for bs in a.batch_sizes)
    where = f'in each of {a.processes} fresh processes' if a.processes > 1 else 'in one process'
    lines = [f'{len(x):,} training windows of the S&P 500 sample (weekly, 12 steps, {x.shape[-1]} features), {a.samples:,} windows per variant '
             f'per round, {a.rounds} interleaved rounds {where}, {a.threads} torch thread(s), process CPU time; samples/s: median over rounds, '
             f'"vs bare" (and "vs bare + dropout"): median of the per-round ratios. Load average (1 min) {load0[0]:.1f} at the start, {load1[0]:.1f} at the end '
             f'(2 cores shared with other jobs).', '', f'| variant | parameters | {head} |', '|---|---:|' + '---:|' * (1 + len(refs)) * len(a.batch_sizes)]
    for k in names:
        cells = []
        for bs in a.batch_sizes:
            c, n = res[bs]['cpu'], res[bs]['n']
            cells += [f'{statistics.median(n / t for t in c[k]):,.0f}', *(f'{ratio(bs, k, r):.2f}x' for r in refs)]
        lines.append(f"| {what[k]} | {res[a.batch_sizes[0]]['params'][k]:,} | {' | '.join(cells)} |")
    goal = {32: 0.8, 256: 0.95}
    if 'trendlstm' in names:
        verdicts = [f'batch {bs}: {ratio(bs, "trendlstm", "bare"):.2f}x (goal >= {goal[bs]}x)' + (f', {ratio(bs, "trendlstm", "bare_dropout"):.2f}x against the bare loop with the same dropout' if len(refs) > 1 else '')
                    for bs in a.batch_sizes if bs in goal]
        if verdicts: lines += ['', 'trendlstm with the peers\' shape against the bare loop: ' + '; '.join(verdicts) + '.']
    if 'trendlstm_native' in names:
        native = [f'batch {bs}: {ratio(bs, "trendlstm_native", "bare"):.2f}x the bare loop on oneDNN' + (f', {ratio(bs, "trendlstm_native", "bare_native"):.2f}x the bare loop on the native kernel too' if 'bare_native' in names else '')
                  for bs in a.batch_sizes]
        lines += ['', 'trendlstm with the peers\' shape on torch\'s native LSTM kernel: ' + '; '.join(native) + '.']
    if a.processes > 1 and 'trendlstm' in names:
        def spread(bs, f):
            v = [f(c) for c in res[bs]['per_process']]
            return min(v), max(v)
        cells = []
        for bs in a.batch_sizes:
            n = res[bs]['n']
            (r0, r1), (b0, b1) = (spread(bs, lambda c: statistics.median(b / t for t, b in zip(c['trendlstm'], c['bare']))),
                                  spread(bs, lambda c: statistics.median(n / t for t in c['bare'])))
            cells.append(f'batch {bs}: trendlstm / bare {r0:.2f}x to {r1:.2f}x, the bare loop {b0:,.0f} to {b1:,.0f} samples/s')
        lines += ['', f'The spread between the {a.processes} processes (each one\'s median over its rounds): ' + '; '.join(cells) + '.']
    if loaders:
        lines += ['', 'The training loaders alone (CPU ms per batch, median of the rounds; batches of a fresh epoch each round):', '',
                  '| loader | ' + ' | '.join(f'batch {bs}' for bs in loaders) + ' |', '|---|' + '---:|' * len(loaders)]
        lines += [f'| {k} | ' + ' | '.join(f'{loaders[bs][k]:.3f}' for bs in loaders) + ' |' for k in ('DataLoader', 'DeviceDataLoader')]
    publish('bench_step', 'The CPU training step against a bare loop', lines, write=not a.no_readme)


if __name__ == '__main__': main()
