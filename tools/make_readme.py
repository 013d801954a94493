#!/usr/bin/env python
"""Write README.md from the `readme_nb` notebook (nbs/index.ipynb), as `nbdev-readme` does, without Quarto.

    python tools/make_readme.py           # (re)write README.md
    python tools/make_readme.py --check   # exit 1, showing the diff, if README.md is not what the notebook gives

The notebook goes through nbdev's own docs processing (front matter from `# Title` and `> summary`, hidden
cells dropped, backticked names linked, `show_doc` run), then becomes GitHub Markdown: prose as written, code
cells as ```python blocks (honouring `#| echo: false`, `#| output: false`, `#| include: false`), their stored
outputs as text, Markdown, HTML or pictures (saved under `<notebook>_files/`, as Quarto does). Relative links
to notebooks and pages point at the hosted docs, as nbdev's `readme_filter` does. With Quarto installed,
`nbdev-readme` gives nearly the same file; this script is the one CI checks against.
"""
import argparse, base64, difflib, os, re, sys
from pathlib import Path

from fastcore.nbio import read_nb
from nbdev.config import get_config
from nbdev.processors import FilterDefaults
from nbdev.readme_filter import doc_link

LINK_RE = re.compile(r'(?<!!)(\[[^\]]*\]\()([^)\s]+)((?:\s+"[^"]*")?\))')
DIRECTIVE_RE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')
IMAGES = {'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/svg+xml': 'svg'}


def front_matter(nb):
    "Pop nbdev's front matter raw cell: (title, description)"
    import yaml
    for i, c in enumerate(nb.cells):
        src = ''.join(c.source) if c.source else ''
        m = re.match(r'\s*---\s*\n(.*?)\n---', src, re.S) if c.cell_type == 'raw' else None
        if m:
            nb.cells.pop(i)
            fm = yaml.safe_load(m.group(1)) or {}
            return fm.get('title'), fm.get('description')
    return None, None


def directives(src):
    "Split a code cell into its `#|` directives (dict) and its code"
    opts, code = {}, []
    for line in src.splitlines():
        m = DIRECTIVE_RE.match(line)
        if m and not code: opts[m.group(1)] = m.group(2).lower()
        else: code.append(line)
    return opts, '\n'.join(code).strip('\n')


def fence(text, lang=''):
    "A fenced code block that its own backticks cannot close"
    ticks = '```'
    while ticks in text: ticks += '`'
    return f'{ticks}{lang}\n{text.rstrip()}\n{ticks}'


def output_md(o, name, files):
    "One stored output as Markdown; pictures go into `files`"
    if o.get('output_type') == 'stream': return fence(''.join(o.get('text', '')))
    if o.get('output_type') == 'error': return None
    data = o.get('data', {})
    for mime, ext in IMAGES.items():
        if mime in data:
            fn = f'{name}.{ext}'
            raw = ''.join(data[mime])
            files[fn] = raw.encode() if mime == 'image/svg+xml' else base64.b64decode(raw)
            return f'![]({fn})'
    if 'text/markdown' in data: return ''.join(data['text/markdown']).strip('\n')
    if 'text/html' in data:
        html = re.sub(r'<style[^>]*>.*?</style>', '', ''.join(data['text/html']), flags=re.S)
        return '\n'.join(l for l in html.splitlines() if l.strip())
    if 'text/plain' in data: return fence(''.join(data['text/plain']))
    return None


def readme(cfg):
    "The README text and its pictures ({relative path: bytes}) from `cfg.readme_nb`"
    nb_path = cfg.nbs_path / cfg.readme_nb
    nb = read_nb(nb_path)
    nb.path_ = str(nb_path)
    cwd = os.getcwd()
    os.chdir(nb_path.parent)  # as nbdev's processing runs, so that show_doc and imports resolve
    try: FilterDefaults()(nb)
    finally: os.chdir(cwd)
    title, description = front_matter(nb)
    base, nbdir = cfg.doc_url if cfg.doc_host else '', Path(cfg.readme_nb).parent.as_posix()
    link = (lambda s: LINK_RE.sub(lambda m: m.group(1) + doc_link(m.group(2), base, nbdir) + m.group(3), s)) if base else (lambda s: s)
    files_dir = f'{nb_path.stem}_files/figure-commonmark'
    blocks, files = [], {}
    if title: blocks.append(f'# {title}')
    if description: blocks.append(f'> {description}')
    for i, c in enumerate(nb.cells):
        src = ''.join(c.source) if c.source else ''
        if c.cell_type == 'markdown':
            if src.strip(): blocks.append(link(src.strip('\n')))
        elif c.cell_type == 'code':
            opts, code = directives(src)
            if opts.get('include') == 'false': continue
            if code and opts.get('echo') != 'false': blocks.append(fence(code, 'python'))
            if opts.get('output') == 'false': continue
            for j, o in enumerate(c.get('outputs', [])):
                got = {}
                md = output_md(o, f'cell-{i}-output-{j + 1}', got)
                files.update({f'{files_dir}/{k}': v for k, v in got.items()})
                if md: blocks.append(md.replace(f'![](cell-{i}', f'![]({files_dir}/cell-{i}') if got else (link(md) if o.get('output_type') != 'stream' else md))
    return '\n\n'.join(blocks).rstrip() + '\n', files


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--check', action='store_true', help='do not write; exit 1 if README.md differs from what the notebook gives')
    a = ap.parse_args(argv)
    cfg = get_config()
    if not (cfg.nbs_path / cfg.readme_nb).exists(): sys.exit(f'make_readme: no {cfg.nbs_path / cfg.readme_nb}')
    text, files = readme(cfg)
    dest = cfg.config_path / 'README.md'
    if a.check:
        old = dest.read_text(encoding='utf-8') if dest.exists() else ''
        stale = [f for f, b in files.items() if not (cfg.config_path / f).exists() or (cfg.config_path / f).read_bytes() != b]
        if old == text and not stale: return print(f'make_readme: README.md is up to date with {cfg.readme_nb}')
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), 'README.md (committed)', f'README.md (from {cfg.readme_nb})'))
        for f in stale: print(f'make_readme: {f} is missing or stale')
        sys.exit(f'make_readme: README.md is out of date with nbs/{cfg.readme_nb}: run `python tools/make_readme.py` and commit it')
    dest.write_text(text, encoding='utf-8')
    for f, b in files.items():
        (cfg.config_path / f).parent.mkdir(parents=True, exist_ok=True)
        (cfg.config_path / f).write_bytes(b)
    print(f'make_readme: wrote {dest.name} from {cfg.readme_nb}' + (f' and {len(files)} picture(s)' if files else ''))


if __name__ == '__main__': main()
