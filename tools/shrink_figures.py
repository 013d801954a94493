#!/usr/bin/env python
"""Re-encode the PNG figures stored in notebooks as 256-colour palette PNGs, which keeps plots sharp at a third of the size,
drop the plain-text copy of an output that also has a figure, HTML or markdown (the docs site and Jupyter show those),
and store each HTML output on one line: a newline and the indentation after it become one space, which HTML reads the same
(outputs with <pre>, <textarea> or <script>, where a newline can matter, are left as they are), and the notebook no longer
stores a JSON string per line of a table. The classes pandas' Styler writes on every cell of a styled table
(`class="data row3 col4"`, `class="col_heading level0 col4"`, ...) are dropped: no style of the docs site or of the table's
own <style> block uses them (its bold cells are styled through their ids, which stay), and they were over half of such a table's bytes. A path under the project root in a printed output (a warning's
`/home/me/trendlstm/trendlstm/evaluate.py:158`) is written relative to the root (`trendlstm/evaluate.py:158`), so no
stored output names the folders of the machine that ran it. A cell of `show_doc` calls alone keeps no output: nbdev
renders every `show_doc` cell itself when it builds the docs, so the stored copy is never shown.

    python tools/shrink_figures.py                 # every notebook in nbs/
    python tools/shrink_figures.py nbs/04_examples.ipynb --check   # exit 1 if a notebook's outputs would still shrink by more than 10%

Matplotlib writes full-colour PNGs; a plot has few colours, so a palette of 256 (antialiased edges included) is visually
the same. Run it after re-running a notebook (`tools/nbtext.py run`): the stored outputs of `#| slow` cells are shrunk
too, without re-running them. A figure is replaced only when the palette version is smaller.
"""
import argparse, base64, io, re, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb
from PIL import Image


def shrink_png(data:bytes)->bytes:
    "The PNG `data` as an optimized 256-colour palette PNG (or `data` itself when that is not smaller)"
    im = Image.open(io.BytesIO(data))
    if im.mode == 'P': return data
    pal = im.convert('RGBA').quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO(); pal.save(out, format='PNG', optimize=True)
    return out.getvalue() if out.tell() < len(data) else data


RICH_MIMES = ('image/png', 'text/html', 'text/markdown')  # an output with one of these needs no text/plain copy
LAYOUT_TAGS = ('<pre', '<textarea', '<script')  # HTML where a newline is not just whitespace
ROOT = Path(__file__).resolve().parent.parent  # the project root


def one_line_html(html:str)->str:
    "`html` with each newline and the indentation after it made one space (unchanged if it holds `LAYOUT_TAGS`)"
    return html if any(t in html for t in LAYOUT_TAGS) else re.sub(r'[ \t]*\n[ \t]*', ' ', html).strip()


STYLER_CLASSES = r' class="(?:data|row_heading|col_heading|index_name|blank)(?: (?:level|row|col)\d+)*"'  # per-cell classes of a pandas Styler table


def lean_html(html:str)->str:
    "`html` on one line (`one_line_html`), without the per-cell classes of a pandas Styler table"
    return re.sub(STYLER_CLASSES, '', one_line_html(html))


def project_relative(text:str)->str:
    "`text` with each path under the project root written relative to it"
    return text.replace(f'{ROOT}/', '')


def only_show_doc(cell)->bool:
    "Whether `cell` is a code cell of `show_doc(...)` calls alone (its output is rendered anew by the docs build)"
    lines = [l for l in ''.join(cell.get('source', '')).splitlines() if l.strip() and not l.startswith('#|')]
    return cell.get('cell_type') == 'code' and bool(lines) and all(l.startswith('show_doc(') for l in lines)


def shrink_notebook(path:Path, write:bool=True)->tuple:
    "Shrink every stored PNG of notebook `path` and drop redundant plain text; returns (bytes before, bytes after) of its outputs' data"
    nb, before, after = read_nb(path), 0, 0
    for cell in nb.cells:
        if only_show_doc(cell) and cell.get('outputs'):
            before += sum(len(str(o)) for o in cell['outputs']); cell['outputs'] = []
        for out in cell.get('outputs', []):
            if out.get('output_type') == 'stream':
                text = ''.join(out['text']); rel = project_relative(text)
                before, after = before + len(text), after + len(rel)
                if rel != text: out['text'] = rel
            data = out.get('data', {})
            if 'text/plain' in data and any(m in data for m in RICH_MIMES):
                before += len(''.join(data.pop('text/plain')))
            if 'text/html' in data:
                html = ''.join(data['text/html']); short = lean_html(html)
                before, after = before + len(html), after + len(short)
                if short != html: data['text/html'] = short
            if 'image/png' not in data: continue
            raw = base64.b64decode(''.join(data['image/png']) if isinstance(data['image/png'], list) else data['image/png'])
            small = shrink_png(raw)
            before, after = before + len(raw), after + len(small)
            if small is not raw: data['image/png'] = base64.b64encode(small).decode()
    if write and after < before: write_nb(nb, path)
    return before, after


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('notebooks', nargs='*', help='notebooks (default: nbs/*.ipynb)')
    p.add_argument('--check', action='store_true', help='change nothing; exit 1 if a notebook\'s outputs would shrink by more than 10%%')
    a = p.parse_args()
    paths = [Path(n) for n in a.notebooks] or sorted(Path('nbs').glob('*.ipynb'))
    stale = []
    for path in paths:
        before, after = shrink_notebook(path, write=not a.check)
        if before: print(f'{path}: figures and redundant text {before / 1024:.0f} KiB -> {after / 1024:.0f} KiB')
        if a.check and after < 0.9 * before: stale.append(str(path))
    if stale: sys.exit(f"shrink_figures: run `python tools/shrink_figures.py` on {', '.join(stale)}")


if __name__ == '__main__': main()
