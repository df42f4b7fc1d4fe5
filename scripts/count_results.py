"""Adds up passed and failed tests from pytest and PHPUnit logs; prints "PASSED FAILED"."""

import re
import sys
from pathlib import Path

passed = failed = 0
for name in sys.argv[1:]:
    path = Path(name)
    if not path.exists():
        continue
    text = path.read_text(errors="replace")
    summaries = re.findall(r"^=*\s*((?:\d+ \w+(?:, )?)+)(?: in [\d.]+s)?.*$", text, re.M)
    for line in summaries[-1:] if "pytest" in name else []:
        passed += sum(int(n) for n in re.findall(r"(\d+) passed", line))
        failed += sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)", line))
    for tests in re.findall(r"^OK \((\d+) tests?", text, re.M):
        passed += int(tests)
    for match in re.finditer(r"^Tests: (\d+), Assertions: \d+(.*)$", text, re.M):
        bad = sum(int(n) for n in re.findall(r"(?:Failures|Errors): (\d+)", match.group(2)))
        passed += int(match.group(1)) - bad
        failed += bad
print(passed, failed)
