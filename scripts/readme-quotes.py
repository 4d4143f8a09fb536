#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the README quotes its measured output verbatim.

usage: scripts/readme-quotes.py [README.md]

A fenced block right under a line "<!-- quote: PATH -->" is a quote of
PATH (a results file, relative to the checkout): each of its lines must
be a line of PATH, exactly as written, and in PATH's order; a quote may
leave lines out (the ROW lines scripts read, say), but not change,
reorder or add one. Prints one line per quote and exits 1 if any is not
found (or names a missing file), 2 if the README has no quote at all.
"""
import os
import re
import sys

QUOTE = re.compile(r'^<!-- quote: (\S+) -->$')


def quotes(lines):
    """Yield (line number, path, block lines) for each quoted block."""
    i = 0
    while i < len(lines):
        m = QUOTE.match(lines[i])
        i += 1
        if not m:
            continue
        start = i
        if i >= len(lines) or not lines[i].startswith('```'):
            yield start, m.group(1), None
            continue
        i += 1
        block = []
        while i < len(lines) and not lines[i].startswith('```'):
            block.append(lines[i])
            i += 1
        i += 1
        yield start, m.group(1), block


def first_missing(hay, block):
    """The first line of block not found in hay after the one before it."""
    j = 0
    for line in block:
        while j < len(hay) and hay[j] != line:
            j += 1
        if j == len(hay):
            return line
        j += 1
    return None


def main():
    readme = sys.argv[1] if len(sys.argv) > 1 else 'README.md'
    top = os.path.dirname(os.path.abspath(readme))
    with open(readme, encoding='utf-8') as f:
        lines = f.read().split('\n')
    bad = total = 0
    for lineno, path, block in quotes(lines):
        total += 1
        where = f'{readme}:{lineno}'
        if not block:
            print(f'FAIL {where}: no fenced block under the quote of {path}')
            bad += 1
            continue
        try:
            with open(os.path.join(top, path), encoding='utf-8') as f:
                hay = f.read().split('\n')
        except OSError as e:
            print(f'FAIL {where}: {path}: {e.strerror}')
            bad += 1
            continue
        missing = first_missing(hay, block)
        if missing is None:
            print(f'ok   {where}: {len(block)} lines of {path}')
        else:
            print(f'FAIL {where}: not in {path} (or out of order): "{missing}"')
            bad += 1
    if not total:
        print(f'FAIL {readme}: no "<!-- quote: PATH -->" block')
        return 2
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
