#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one test boot (Documentation/testing.rst, "The verdict").

verdict.py KERNEL_SRC OUT_DIR TAG [TIMEOUT_S]

Reads OUT_DIR/console-TAG.log, OUT_DIR/channel-TAG.log and OUT_DIR/qemu-TAG.rc
written by boot.sh, merges the per-module KTAP documents of the result channel
under one header into OUT_DIR/results-TAG.ktap, parses that with the kernel's
own tools/testing/kunit/kunit.py, and applies every rule of the verdict. Writes
OUT_DIR/verdict-TAG.json: KUnit counts and the failed checks, each with the
cause it names. Exit status 0 when the boot passed, 1 otherwise.
"""
import json
import os
import re
import subprocess
import sys

# Console patterns that fail a run, each with the cause it names. The first
# match of each pattern is quoted in the report.
CONSOLE_PATTERNS = [
    ("atomic-sleep", r"BUG: sleeping function called from invalid context"),
    ("lockdep", r"possible circular locking dependency|inconsistent lock state|"
                r"possible recursive locking|suspicious RCU usage|"
                r"lock held when returning to user space|bad unlock balance"),
    ("hang", r"blocked for more than \d+ seconds|soft lockup|hung_task: blocked tasks"),
    ("kmemleak", r"unreferenced object|new suspected memory leaks"),
    ("kasan", r"BUG: KASAN"),
    ("ubsan", r"UBSAN:"),
    ("warning", r"WARNING:"),
    ("bug", r"\bBUG[: ]"),
    ("oops", r"\bOops\b"),
    ("call-trace", r"Call Trace"),
    ("panic", r"Kernel panic"),
]

# Taint bits that are expected: 12 out-of-tree module, 18 KUnit test ran.
TAINT_ALLOWED = (1 << 12) | (1 << 18)
KTAP_RESULT = re.compile(r"^(not )?ok \d+ ")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().replace("\r", "")
    except FileNotFoundError:
        return None


# The VMBus waits a hang report names: the guest's calls that wait, without
# a timeout, for the host's answer.
VMBUS_WAIT = re.compile(r"\b((?:vmbus|hv|__vmbus)_\w+)\+0x")


def blocked_in(after):
    """' (blocked in f)': the first VMBus function on a hung task's stack.

    Every task the hung-task report lists is searched, in order; entries
    the unwinder is unsure of ("? f+0x...") are skipped.
    """
    for line in after.splitlines()[:400]:
        if " ? " in line:
            continue
        m = VMBUS_WAIT.search(line)
        if m:
            return " (blocked in %s)" % m.group(1)
        if "Kernel panic" in line:
            break
    return ""


def split_channel(text):
    """Per-module KTAP chunks and the @@ records of the result channel."""
    modules, records, kmemleak = {}, [], []
    current, in_leak = None, False
    for line in text.splitlines():
        if line.startswith("@@BEGIN "):
            current = line.split()[1]
            modules[current] = []
        elif line.startswith("@@END ") and current:
            current = None
        elif line == "@@KMEMLEAK-BEGIN":
            in_leak = True
        elif line == "@@KMEMLEAK-END":
            in_leak = False
        elif line.startswith("@@"):
            records.append(line[2:].split())
        elif in_leak:
            kmemleak.append(line)
        elif current is not None:
            modules[current].append(line)
    return modules, records, kmemleak


def merge_ktap(modules):
    """One KTAP document: the suites of every module under one header.

    Each module's dmesg holds its suites as indented subtests with a suite
    result line at column 0, numbered per module (6.12) or by a global counter
    that rmmod resets (6.1); renumber those with one counter.
    """
    body, n = [], 0
    for name, lines in modules.items():
        started = False
        for line in lines:
            if line == "    KTAP version 1":
                started = True
            if not started:
                continue
            if KTAP_RESULT.match(line):
                n += 1
                line = re.sub(r"^(not )?ok \d+ ", lambda m: (m.group(1) or "") + "ok %d " % n, line)
            elif not line.startswith(" ") and not line.startswith("#"):
                # a kernel message of the module under test, not KTAP
                continue
            body.append(line)
    return "KTAP version 1\n1..%d\n%s" % (n, "".join(l + "\n" for l in body)), n


def count_cases(node, acc):
    """Leaf test cases of kunit.py's JSON tree: passed, failed, skipped."""
    cases = node.get("test_cases", [])
    for case in cases:
        status = case.get("status", "")
        key = {"PASS": "passed", "SKIP": "skipped"}.get(status, "failed")
        acc[key] += 1
        if key == "failed":
            acc["failed_names"].append("%s.%s" % (node.get("name", "?"), case.get("name", "?")))
    for sub in node.get("sub_groups", []):
        count_cases(sub, acc)
    return acc


def main():
    ksrc, out, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    timeout_s = sys.argv[4] if len(sys.argv) > 4 else "?"
    console = read(os.path.join(out, "console-%s.log" % tag)) or ""
    channel = read(os.path.join(out, "channel-%s.log" % tag)) or ""
    rc_text = read(os.path.join(out, "qemu-%s.rc" % tag))
    rc = int(rc_text.strip()) if rc_text and rc_text.strip().isdigit() else -1
    failures = []

    def fail(cause, detail):
        failures.append({"cause": cause, "detail": detail})

    if rc == 124 or rc == 137:
        fail("timeout", "QEMU did not exit on its own within %s s" % timeout_s)
    elif rc != 0:
        fail("qemu", "QEMU exited with status %d" % rc)

    modules, records, kmemleak = split_channel(channel)
    if not any(r[0] == "END-OF-RUN" for r in records):
        fail("no-end-marker", "init did not reach the end of the run (crash, panic or hang)")

    for cause, pattern in CONSOLE_PATTERNS:
        m = re.search(pattern, console)
        if m:
            line = console[console.rfind("\n", 0, m.start()) + 1:console.find("\n", m.end())]
            detail = "console: " + line.strip()
            if cause == "hang":
                detail += blocked_in(console[m.end():])
            fail(cause, detail)

    for r in records:
        if r[0] in ("INSMOD-FAILED", "RMMOD-FAILED"):
            fail("module-load" if r[0] == "INSMOD-FAILED" else "module-unload",
                 "%s %s (status %s)" % (r[0].lower(), r[1], r[2] if len(r) > 2 else "?"))
        elif r[0] == "LEFT":
            fail("module-unload", "%s still loaded at the end" % r[1])
        elif r[0] == "TAINT" and len(r) > 1:
            taint = int(r[1])
            if taint & ~TAINT_ALLOWED:
                fail("taint", "tainted 0x%x (allowed bits 12 and 18 only)" % taint)
        elif r[0] == "DEBUG-LOCKS" and len(r) > 1 and r[1] != "1":
            fail("lockdep", "lockdep turned itself off (debug_locks %s)" % r[1])

    leaks = [l for l in kmemleak if l.startswith("unreferenced object")]
    if leaks:
        fail("kmemleak", "%d unreferenced objects, first: %s" % (len(leaks), leaks[0]))

    ktap, nsuites = merge_ktap(modules)
    ktap_path = os.path.abspath(os.path.join(out, "results-%s.ktap" % tag))
    json_path = os.path.abspath(os.path.join(out, "results-%s.json" % tag))
    with open(ktap_path, "w") as f:
        f.write(ktap)
    counts = {"passed": 0, "failed": 0, "skipped": 0, "failed_names": []}
    for name, lines in modules.items():
        if not any(l == "    KTAP version 1" for l in lines):
            fail("ktap", "%s printed no KTAP" % name)
    if nsuites:
        parse = subprocess.run(
            [sys.executable, os.path.join(ksrc, "tools/testing/kunit/kunit.py"), "parse",
             "--json=" + json_path, ktap_path],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with open(os.path.join(out, "parse-%s.log" % tag), "w") as f:
            f.write(parse.stdout)
        try:
            with open(json_path) as f:
                tree = json.load(f)
            count_cases(tree, counts)
        except (OSError, ValueError) as e:
            fail("ktap", "kunit.py wrote no JSON: %s" % e)
        if parse.returncode != 0:
            fail("ktap", "kunit.py parse failed (status %d): %s" % (
                parse.returncode, ", ".join(counts["failed_names"][:10]) or "see parse log"))

    verdict = {"tag": tag, "kunit": counts, "failures": failures}
    with open(os.path.join(out, "verdict-%s.json" % tag), "w") as f:
        json.dump(verdict, f, indent=1)
    print("%s: KUnit %d passed, %d failed, %d skipped" % (
        tag, counts["passed"], counts["failed"], counts["skipped"]))
    for name in counts["failed_names"]:
        print("%s: FAILED case %s" % (tag, name))
    for f_ in failures:
        print("%s: FAILED [%s] %s" % (tag, f_["cause"], f_["detail"]))
    return 0 if not failures and counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
