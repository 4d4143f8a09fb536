#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the test cases in the JSON that `kunit.py parse --json` wrote.

usage: scripts/ktap-count.py RESULT.json

Prints "PASSED FAILED SKIPPED" (ERROR counts as failed). The KTAP itself is
parsed by the kernel's kunit.py; this only adds up its verdicts.
"""
import json
import sys


def count(group, totals):
    for case in group.get("test_cases", []):
        status = case["status"]
        key = {"PASS": 0, "SKIP": 2}.get(status, 1)
        totals[key] += 1
    for sub in group.get("sub_groups", []):
        count(sub, totals)
    return totals


if len(sys.argv) != 2:
    sys.exit(__doc__.strip())
with open(sys.argv[1]) as f:
    print(*count(json.load(f), [0, 0, 0]))
