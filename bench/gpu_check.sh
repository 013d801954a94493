#!/usr/bin/env bash
# Issue #13 item 2 on a CUDA machine, in one run: the device-path figure and the notebooks' GPU cells.
#
#   bash bench/gpu_check.sh wheels   # here, with pip's index: the packages the GPU image lacks, as wheels in .whl/
#   bash bench/gpu_check.sh          # there: installs .whl/ (if present), then runs the checks; logs in $OUT
#
# The GPU image (Python 3.12, torch, numpy, pandas, scikit-learn, matplotlib, joblib, pyarrow ... preinstalled) lacks
# fastcore, fastprogress and what fastprogress imports (python-fasthtml, starlette ...), ipywidgets, nbdev and its
# IPython stack; bench/gpu_wheels.txt pins them (the versions the dev install resolves to). Keep .whl/ out of git
# (`echo /.whl/ >> .git/info/exclude`) and carry it with the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = wheels ]; then
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .whl -r bench/gpu_wheels.txt
  ls .whl | wc -l; du -sh .whl; exit
fi
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD PATH=/tmp/site/bin:$PATH
fi
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu_check}; mkdir -p "$OUT"
python3 -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.__version__, torch.cuda.get_device_name())"
python3 bench/bench_trainer.py --device cuda --batch-sizes 1024 --precisions none --rounds 3 --readme 2>&1 | tee "$OUT/bench_trainer.log"
cp bench/README.md "$OUT/"
status=0
for nb in 03d_device 03b_checkpoint 01_model; do
  nbdev-test --n-workers 1 --flags gpu "nbs/$nb.ipynb" 2>&1 | tee "$OUT/test_$nb.log" || status=1
done
exit $status
