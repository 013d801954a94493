#!/usr/bin/env python
"""Edit notebooks as plain text, and run them to store their outputs, honouring nbdev's test flags.

    python tools/nbtext.py dump nbs/00_data.ipynb > /tmp/00_data.py    # notebook -> percent text
    python tools/nbtext.py load /tmp/00_data.py nbs/00_data.ipynb      # percent text -> notebook (unchanged cells keep outputs)
    python tools/nbtext.py run nbs/00_data.ipynb [--flags slow]        # execute in place, keep outputs

The text format: `# %%` starts a code cell, `# %% [markdown]` a markdown cell whose lines are kept verbatim.
`load` keeps the ids and stored outputs of cells whose source did not change. `run` skips the cells `nbdev-test`
skips (`#| eval: false`, and cells whose flags are in `tst_flags` unless passed with `--flags`); a skipped cell keeps
the outputs it had, so the stored output of a `#| slow` cell survives a default run.
"""
import argparse, sys
from pathlib import Path

from fastcore.nbio import read_nb, write_nb, mk_cell, new_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config
from nbdev.test import nb_test_cells

_MD, _CODE = '# %% [markdown]', '# %%'


def dump(path):
    "Print notebook `path` as percent text"
    out = []
    for c in read_nb(path).cells:
        out.append(_MD if c.cell_type == 'markdown' else _CODE)
        out.append(''.join(c.source).rstrip('\n'))
        out.append('')
    sys.stdout.write('\n'.join(out))


def load(text_path, nb_path):
    "Write the notebook `nb_path` from the percent text in `text_path`"
    cells, kind, lines = [], None, []
    def flush():
        if kind is not None:
            src = '\n'.join(lines).strip('\n')
            cells.append(mk_cell(src, 'markdown' if kind == 'md' else 'code'))
    for line in Path(text_path).read_text().splitlines():
        if line.strip() in (_MD, _CODE):
            flush()
            kind, lines = ('md' if line.strip() == _MD else 'code'), []
        else: lines.append(line)
    flush()
    if Path(nb_path).exists():  # unchanged cells keep their ids (exports do not churn) and outputs (slow cells' too)
        old = {''.join(c.source): c for c in read_nb(nb_path).cells}
        for c in cells:
            prev = old.get(c.source)
            if prev is None or prev.cell_type != c.cell_type: continue
            c['id'] = prev.get('id')
            if c.cell_type == 'code': c['outputs'], c['execution_count'] = prev.get('outputs', []), prev.get('execution_count')
    kernel = {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}}
    write_nb(new_nb(cells, kernel), nb_path)


def run(nb_path, flags=''):
    "Execute `nb_path` in place, running only the cells nbdev-test would run with `--flags`"
    skip = set(get_config().tst_flags.split()) - set(flags.split())
    runnable = {''.join(c.source) for c in nb_test_cells(nb_path, skip_flags=skip)}
    nb = read_nb(nb_path)
    shell = CaptureShell()
    shell.set_path(Path(nb_path).parent.resolve())
    for c in nb.cells:
        if c.cell_type != 'code': continue
        if ''.join(c.source) not in runnable: continue  # skipped (slow, eval: false): its stored outputs stay
        shell.cell(c)
        if shell.exc:
            sys.stderr.write(shell.prettytb(nb_path))
            sys.exit(1)
    write_nb(nb, nb_path)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    sub.add_parser('dump').add_argument('nb')
    l = sub.add_parser('load'); l.add_argument('text'); l.add_argument('nb')
    r = sub.add_parser('run'); r.add_argument('nb'); r.add_argument('--flags', default='')
    a = p.parse_args()
    if a.cmd == 'dump': dump(a.nb)
    elif a.cmd == 'load': load(a.text, a.nb)
    else: run(a.nb, a.flags)
