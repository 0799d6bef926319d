"""Read the output of a guest test run: TAP lines from tap.sh checks,
suites between '## begin NAME' and '## end NAME rc=N' markers, and the
kselftest programs' own TAP inside them."""

import re

RESULT = re.compile(r"^(not ok|ok) \d+ (.*?)(?:\s+#\s*(SKIP|skip|TODO|XFAIL)\b\s*(.*))?$")
HEAP = re.compile(r"^# Testing heap: (\S+)")


def parse(text, prefix):
    """Yield (name, status, detail) with status 'pass', 'fail' or 'skip'."""
    suite, rc, seen, context = None, 0, {}, ""
    failed_in_suite = False
    said = []  # what was printed since the last result: a failure's why
    for line in text.splitlines():
        line = line.rstrip()
        if line.startswith("## begin "):
            suite, context, failed_in_suite = line[9:].strip(), "", False
            said = []
            continue
        m = re.match(r"^## end (\S+) rc=(\d+)", line)
        if m:
            rc = int(m.group(2))
            if rc not in (0, 4) and not failed_in_suite:
                yield (f"{prefix}: {suite}: exit status", "fail",
                       f"{suite} exited with {rc}")
            suite, context = None, ""
            continue
        m = HEAP.match(line)
        if m:
            context = m.group(1) + ": "
            continue
        m = RESULT.match(line)
        if not m:
            said = (said + [line.lstrip("# ")])[-8:] if line.strip() else said
            continue
        why, said = said, []
        desc = context + m.group(2).strip()
        name = f"{prefix}: {suite}: {desc}" if suite else f"{prefix}: {desc}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name += f" [{seen[name]}]"
        directive = (m.group(3) or "").upper()
        if directive == "SKIP":
            yield (name, "skip", m.group(4))
        elif m.group(1) == "ok" or directive in ("TODO", "XFAIL"):
            yield (name, "pass", "")
        else:
            failed_in_suite = failed_in_suite or suite is not None
            yield (name, "fail", " | ".join([line] + why))
