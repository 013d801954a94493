#!/usr/bin/env python
"""What touching memory costs the kernel on this machine: microseconds of kernel time per 4 KiB page, 1 GiB at a time.

    python bench/bench_fresh_pages.py                  # 14 GiB, three processes: one, another right after, another after a 20 s pause
    python bench/bench_fresh_pages.py --gib 6 --pause 60 --no-readme

Each process allocates `--gib` arrays of 1 GiB one after the other with numpy (huge pages off, as in the data layer), fills each
with ones and keeps it, and prints the kernel time of each GiB over its minor page faults (`getrusage`). On a VM that hands freed
memory back to its host (free page reporting), a page the host has taken back costs far more than one the guest freed a moment
ago: the second process reuses the pages the first just freed; after the pause, the host has taken them back.
"""
import argparse, json, os, platform, resource, subprocess, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from readme import publish


def measure(gib):
    "Kernel microseconds per page for each GiB touched, in this process"
    import numpy as np
    from trendlstm.features import no_huge_pages
    hold, out = [], []
    with no_huge_pages():
        for _ in range(gib):
            r0 = resource.getrusage(resource.RUSAGE_SELF); hold.append(np.ones(2**30 // 8)); r1 = resource.getrusage(resource.RUSAGE_SELF)
            out.append(1e6 * (r1.ru_stime - r0.ru_stime) / max(r1.ru_minflt - r0.ru_minflt, 1))
    print(json.dumps(out))


def run(gib):
    out = subprocess.run([sys.executable, __file__, '--measure', str(gib)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--gib', type=int, default=14, help='GiB each process touches (keep it below the free memory)')
    p.add_argument('--pause', type=float, default=20, help='seconds before the third process')
    p.add_argument('--no-readme', action='store_true')
    p.add_argument('--measure', type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.measure: return measure(a.measure)
    load0 = os.getloadavg()
    runs = {'first': run(a.gib), 'right after': run(a.gib)}
    time.sleep(a.pause)
    runs[f'after a {a.pause:g} s pause'] = run(a.gib)
    for name, us in runs.items(): print(f"{name:>20}: " + ' '.join(f'{u:.1f}' for u in us), flush=True)
    lines = [f"Kernel microseconds per 4 KiB page for each GiB a process touches (numpy arrays of 1 GiB, filled and kept, huge pages off), "
             f"three processes one after the other; load average {load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, "
             f"{os.cpu_count()} cores. On these VMs freed memory goes back to the host (free page reporting), and a page the host has "
             "taken back is the slow case.", '',
             '| process | ' + ' | '.join(f'GiB {i + 1}' for i in range(a.gib)) + ' |', '|---|' + '---:|' * a.gib]
    lines += [f"| {name} | " + ' | '.join(f'{u:.1f}' for u in us) + ' |' for name, us in runs.items()]
    publish('bench_fresh_pages', 'Memory: what touching a page costs the kernel here', lines, write=not a.no_readme)


if __name__ == '__main__': main()
