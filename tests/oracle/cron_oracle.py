#!/usr/bin/python3
"""Differential test: task::schedule cron next_fire against python3-croniter (Debian 1.3.5), UTC.

Generates random 5-field expressions (lists, ranges, steps, names, dow 7, both day fields
restricted, macros) and random start instants with a fixed seed, asks cron_oracle_tool for the next
5 fire times of each, asks croniter's get_next for the same and compares. Prints
"N cases, M mismatches" and exits 1 on any mismatch.

Constructs where croniter intentionally differs from Vixie cron are not generated (see
docs/schedules.md): `L`, `#`, `?`, backward ranges (croniter rejects them too, except `x-sun`),
and day fields whose "restricted" classification differs — Vixie calls a day field unrestricted
iff its text starts with `*`, croniter iff the expanded set is the full range (so `*/2` and `1-31`
disagree). A second, smaller table checks that both reject the same invalid expressions.
"""
import argparse
import datetime
import random
import subprocess
import sys

from croniter import croniter

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DOWS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
FIELDS = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
MACROS = ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"]


def name_of(i, v, rng):
    """Value v of field i, sometimes spelled as a name (random case)."""
    if i == 3 and rng.random() < 0.4:
        n = MONTHS[v - 1]
    elif i == 4 and v <= 6 and rng.random() < 0.4:
        n = DOWS[v]
    else:
        return str(v)
    return rng.choice([n, n.upper(), n.capitalize()])


def item(i, rng):
    lo, hi = FIELDS[i]
    kind = rng.random()
    if kind < 0.35:
        return name_of(i, rng.randint(lo, hi), rng)
    if kind < 0.6:
        a = rng.randint(lo, hi)
        b = rng.randint(a, hi)
        return name_of(i, a, rng) + "-" + name_of(i, b, rng)
    if kind < 0.75:
        a = rng.randint(lo, hi)
        b = rng.randint(a, hi)
        return "%s-%s/%d" % (name_of(i, a, rng), name_of(i, b, rng), rng.randint(1, hi - lo + 1))
    if kind < 0.85:
        return "%d/%d" % (rng.randint(lo, hi), rng.randint(1, max(1, (hi - lo) // 2)))
    return "*/%d" % rng.randint(1, max(1, (hi - lo) // 2))


def field(i, rng):
    r = rng.random()
    star_bias = [0.25, 0.3, 0.45, 0.6, 0.45][i]
    if r < star_bias:
        return "*"
    return ",".join(item(i, rng) for _ in range(rng.choice([1, 1, 1, 2, 3])))


def vixie_restricted(text):
    return not text.startswith("*")


def comparable(expr):
    """False when croniter's and Vixie's notion of a restricted day field differ."""
    try:
        expanded, _ = croniter.expand(expr)
    except Exception:
        return False
    parts = expr.split()
    if len(parts) != 5:
        return True
    cron_dom = expanded[2][0] != "*"
    cron_dow = expanded[4][0] != "*"
    return (cron_dom, cron_dow) == (vixie_restricted(parts[2]), vixie_restricted(parts[4]))


def gen_expression(rng):
    if rng.random() < 0.03:
        return rng.choice(MACROS)
    while True:
        parts = [field(i, rng) for i in range(5)]
        if rng.random() < 0.3:  # force both day fields restricted (Vixie OR)
            parts[2] = item(2, rng).lstrip("*/") or "1"
            parts[4] = item(4, rng).lstrip("*/") or "1"
        expr = " ".join(parts)
        if comparable(expr) and not never_fires(expr):
            return expr


def never_fires(expr):
    """Expressions like '0 0 30 2 *' that we reject at parse time ("never fires")."""
    try:
        it = croniter(expr, datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
        it.get_next(float)
        return False
    except Exception:
        return True


def gen_start(rng):
    lo = int(datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
    hi = int(datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
    t = rng.randint(lo, hi)
    return t - t % 60 if rng.random() < 0.3 else t  # sometimes exactly on a minute


def croniter_next(expr, start, n=5):
    it = croniter(expr, datetime.datetime.fromtimestamp(start, tz=datetime.timezone.utc))
    return [int(it.get_next(float)) for _ in range(n)]


INVALID = ["61 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 * ", "* * * 0 *",
           "* * * * 8", "*/0 * * * *", "5-3 * * * *", "* * * foo *", "* * * * funday", "",
           "* * * *", "a * * * *", "-1 * * * *", "1,,2 * * * *", "* * * * 1-9"]


def run_tool(tool, lines):
    proc = subprocess.run([tool], input="".join(lines), capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--cases", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = [(gen_expression(rng), gen_start(rng)) for _ in range(args.cases)]
    out = run_tool(args.tool, ["%s\t%d\n" % c for c in cases])
    mismatches = 0
    both_restricted = 0
    for (expr, start), line in zip(cases, out):
        parts = expr.split()
        if len(parts) == 5 and vixie_restricted(parts[2]) and vixie_restricted(parts[4]):
            both_restricted += 1
        want = " ".join(str(t) for t in croniter_next(expr, start))
        if line != want:
            mismatches += 1
            if mismatches <= 20:
                print("MISMATCH %r start=%d\n  ours:     %s\n  croniter: %s" % (expr, start, line,
                                                                            want))
    if len(out) != len(cases):
        print("tool printed %d lines for %d cases" % (len(out), len(cases)))
        mismatches += abs(len(cases) - len(out))
    bad = run_tool(args.tool, ["%s\t0\n" % e for e in INVALID])
    for expr, line in zip(INVALID, bad):
        if not croniter.is_valid(expr) and not line.startswith("ERROR"):
            mismatches += 1
            print("MISMATCH invalid %r accepted by us: %s" % (expr, line))
        elif not line.startswith("ERROR"):
            print("note: %r is valid for croniter and for us" % expr)
    print("%d cases (%d with both day fields restricted), %d invalid expressions, %d mismatches"
          % (len(cases), both_restricted, len(INVALID), mismatches))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
