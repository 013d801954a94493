#!/usr/bin/env python
"""Scoring time of an exported model (onnxruntime, `torch.export` program, TorchScript) against the PyTorch model, and export time.

    python bench/bench_export.py                 # default model, batches of 1, 256 and 1024 windows, 1 thread
    python bench/bench_export.py --rounds 9 --threads 2

The model is the default `LSTMTrendPredictor` (hidden 128, 2 bidirectional LSTM layers, 4 heads) with untrained
weights (the time does not depend on them), on windows of synthetic prices built by the data layer. Each variant
scores the same windows: `torch` (the model under `torch.inference_mode`), `onnx` (`ExportedModel` of the .onnx file,
onnxruntime on the CPU), `torch_export` (`ExportedModel` of the .pt2 file) and `torchscript` (`ExportedModel` of the
.ts file, `torch.jit.trace`; deprecated in torch 2.x). All use `--threads` threads
(torch's and onnxruntime's intra-op pool). The time per call is the fastest of `--rounds` rounds of process CPU time
(on a shared machine wall time mostly measures the neighbours; load only slows a round down).
"""
import argparse, tempfile, time, types
from pathlib import Path
import numpy as np, torch
from trendlstm.data import LSTMDataModule, make_synthetic_prices
from trendlstm.export import EXPORT_FORMATS, ExportedModel, write_export
from trendlstm.model import create_lstm_model
from readme import publish


def best_cpu_ms(f, rounds:int, calls:int)->float:
    "Fastest round of `calls` calls of `f`, in process CPU milliseconds per call"
    f()  # warm-up
    times = []
    for _ in range(rounds):
        t = time.process_time()
        for _ in range(calls): f()
        times.append((time.process_time() - t) / calls * 1e3)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--batches', type=int, nargs='+', default=[1, 256, 1024])
    ap.add_argument('--no-readme', action='store_true', help='print only; do not write bench/README.md')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dm = LSTMDataModule(make_synthetic_prices(n_tickers=20, n_days=1500, seed=0))
    model = create_lstm_model(input_dim=len(dm.feature_names), horizons=tuple(dm.train_dataset.horizons)).eval()
    trainer = types.SimpleNamespace(model=model, data_state=dm.state_dict())  # what write_export reads
    tmp, rows, export_s = Path(tempfile.mkdtemp()), [], {}
    for fmt, suffix in EXPORT_FORMATS.items():
        t = time.perf_counter(); write_export(trainer, tmp/f'model{suffix}', fmt); export_s[fmt] = time.perf_counter() - t
    runners = dict(torch=lambda x: model(torch.from_numpy(x)),
                   **{fmt: ExportedModel.load(tmp/f'model{suffix}', threads=a.threads) for fmt, suffix in EXPORT_FORMATS.items()})
    windows = dm.train_dataset[:]['features'].numpy()
    for b in a.batches:
        x = np.ascontiguousarray(np.resize(windows, (b, *windows.shape[1:])))
        calls = max(1, 2048 // b)
        with torch.inference_mode(): ms = {k: best_cpu_ms(lambda: f(x), a.rounds, calls) for k, f in runners.items()}
        rows.append(f"| {b} | {ms['torch']:.2f} | {ms['onnx']:.2f} | {ms['torch_export']:.2f} | {ms['torchscript']:.2f} | {ms['torch'] / ms['onnx']:.2f} |")
        print(rows[-1], flush=True)
    text = (f"Default model (hidden {model.config.encoder.hidden_dim}, {model.config.encoder.num_lstm_layers} bidirectional layers), "
            f"windows of {windows.shape[1]} steps x {windows.shape[2]} features, {a.threads} thread(s); CPU ms per call, fastest of {a.rounds} rounds.\n\n"
            "| windows per call | torch | onnxruntime | torch.export (.pt2) | TorchScript (.ts) | torch / onnxruntime |\n|---|---|---|---|---|---|\n" + '\n'.join(rows) +
            "\n\nExport time (wall, one run): " + ', '.join(f"{fmt} {s:.1f} s" for fmt, s in export_s.items()) + ".")
    publish('bench_export', 'Exported model scoring (bench_export.py)', text.split('\n'), write=not a.no_readme)


if __name__ == '__main__': main()
