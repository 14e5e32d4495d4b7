"""curves_sql.py - for tests/bench/curves.sh: the statements a server ran,
from PostgreSQL's log with log_min_duration_statement = 0, with their
parameters written in as literals, so that pgbench and EXPLAIN run exactly
the SQL of the server (planned with the values, as the server's unnamed
statements are).

    python3 curves_sql.py LOG PREFIX N OUT_PREFIX

writes the last N statements beginning with PREFIX (a regular expression)
to OUT_PREFIX1.sql ..
OUT_PREFIXN.sql, oldest first, one statement on one line each.
"""
import re
import sys

log_path, prefix, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(log_path, encoding="utf-8", errors="replace") as f:
    log = f.read()
# "execute <unnamed>: SQL" and, on the next line, "DETAIL:  parameters: $1 = ..."
found = re.finditer(r"execute <unnamed>: ((?:" + prefix + r")[^\n]*)\n"
                    r"(?:[^\n]*DETAIL:\s+parameters: ([^\n]*))?", log)
statements = []
for m in found:
    values = {k: v for k, v in
              re.findall(r"\$(\d+) = (NULL|'(?:[^']|'')*')", m.group(2) or "")}
    statements.append(re.sub(r"\$(\d+)", lambda p: values[p.group(1)], m.group(1)))
if len(statements) < count:
    sys.exit(f"curves_sql.py: {len(statements)} statements in the log, {count} wanted")
for i, s in enumerate(statements[-count:], 1):
    with open(f"{out}{i}.sql", "w", encoding="utf-8") as f:
        f.write(s + ";\n")
