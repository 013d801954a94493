"""Write one benchmark's latest figures into its own section of bench/README.md (the other sections stay as they are)."""
import datetime, platform, re, sys
from pathlib import Path

README = Path(__file__).parent / 'README.md'
HEAD = ('# Benchmarks\n\nThe latest figures of each script in this folder, written by the script itself '
        '(`python bench/<script>.py`); prose elsewhere links here instead of quoting numbers.\n')


def write_section(key:str, title:str, text:str, command:str):
    "Replace (or append) the section `key` of bench/README.md with `text`, stamped with the date, machine and command"
    stamp = f"_{datetime.date.today()}, {platform.machine()}, {platform.python_implementation()} {platform.python_version()}: `{command}`_"
    block = f'<!-- {key} -->\n## {title}\n\n{stamp}\n\n{text.strip()}\n<!-- /{key} -->'
    old = README.read_text() if README.exists() else HEAD
    pattern = re.compile(rf'<!-- {re.escape(key)} -->.*?<!-- /{re.escape(key)} -->', re.S)
    new = pattern.sub(lambda m: block, old) if pattern.search(old) else old.rstrip('\n') + '\n\n' + block
    README.write_text(new.rstrip('\n') + '\n')
    print(f'wrote section {key!r} of {README}')


def publish(key:str, title:str, lines:list, write:bool=True):
    "Print a benchmark's figures (`lines` of markdown) and, when `write`, store them as section `key` with the command that made them"
    text = '\n'.join(lines)
    print('\n' + text)
    if write: write_section(key, title, text, ' '.join([f'python bench/{Path(sys.argv[0]).name}', *sys.argv[1:]]))
