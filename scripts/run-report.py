#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report of 'make run' (scripts/run.sh).

run-report.py OUT_DIR KVER BOOT_S TOTAL_S TIMEOUT_S

Reads OUT_DIR/channel-run.log (what scripts/harness/run-init sent: steps,
debugfs files, the kernel log, the trace buffer, kmemleak, taint),
OUT_DIR/console-run.log and OUT_DIR/qemu-run.rc, and prints a short report
in sections: offer, channel state changes, negotiation, heartbeats,
synchronous request, external data and its checksum, debugfs counters,
unload, then the kernel's health and one verdict line. Each section is one
expected step; a sample that is not in the tree makes its sections "not
available" rather than failed. Exit status 0 when no expected step is
missing and the kernel stayed clean.
"""
import os
import re
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verdict import CONSOLE_PATTERNS, TAINT_ALLOWED, read  # noqa: E402

WIDTH = 100
DMESG = re.compile(r"^\[\s*(\d+\.\d+)\]\s+(\S+?): (.*)$")
TRACE = re.compile(r"\s(\d+\.\d+): vmb_state_change: (.*)$")
STATE = re.compile(r"^(.+) (\S+) -> (\S+)$")


def split(text):
    """@@ records, debugfs files, and the kernel log and trace blocks."""
    records, debugfs, blocks = [], {}, {"DMESG": [], "TRACE": [], "KMEMLEAK": []}
    block = current = None
    for line in text.splitlines():
        if line.startswith("@@") and line.endswith("-BEGIN"):
            block, current = line[2:-6], None
        elif line.startswith("@@") and line.endswith("-END"):
            block = None
        elif line.startswith("@@DEBUGFS-FILE "):
            current = line.split(" ", 1)[1]
            debugfs[current] = []
        elif line.startswith("@@"):
            records.append(line[2:].split())
            current = None
        elif block in blocks:
            blocks[block].append(line)
        elif current is not None:
            debugfs[current].append(line)
    return records, debugfs, blocks


class Report:
    def __init__(self):
        self.lines, self.steps, self.missing = [], [], []

    def out(self, text=""):
        self.lines.append(text)

    def section(self, title, items, ok, why_missing, na=None):
        """One expected step: its lines, or why it is not there."""
        self.out(title)
        if na:
            self.out(f"   not available: {na}")
            self.steps.append((title, None))
            return
        for item in items:
            for line in item.split("\n"):
                self.out(f"   {line}")
        if not ok:
            self.out(f"   MISSING: {why_missing}")
            self.missing.append(title.split(" (")[0])
        self.steps.append((title, ok))


def shorten(text, width=WIDTH - 12):
    return text if len(text) <= width else text[: width - 3] + "..."


GUID = re.compile(r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{6}([0-9a-f]{6})\b")


def logline(entry):
    """A kernel log line, time first, GUIDs abbreviated, wrapped under its text."""
    t, mod, msg = entry
    msg = GUID.sub(r"\1..\2", msg)
    return "\n".join(textwrap.wrap(f"{t:7.3f} {mod}: {msg}", WIDTH - 3,
                                    subsequent_indent=" " * 12, break_on_hyphens=False))


def pick(log, modules, pattern, claimed=None):
    """Log entries of @modules matching @pattern; with @claimed, each entry
    goes to the first section that picks it."""
    rx = re.compile(pattern)
    found = [e for e in log if e[1] in modules and rx.search(e[2])
             and (claimed is None or id(e) not in claimed)]
    if claimed is not None:
        claimed.update(id(e) for e in found)
    return found


def head_tail(entries, head, tail):
    """The first @head and the last @tail entries, with a count between."""
    if len(entries) <= head + tail + 1:
        return [logline(e) for e in entries]
    return ([logline(e) for e in entries[:head]]
            + [f"   ... {len(entries) - head - tail} more ..."]
            + [logline(e) for e in entries[-tail:]])


def state_chains(trace):
    """One line per channel: its states in order."""
    chains, order = {}, []
    for line in trace:
        m = TRACE.search(line)
        if not m:
            continue
        s = STATE.match(m.group(2))
        if not s:
            continue
        name, old, new = s.groups()
        if name not in chains:
            chains[name] = [(float(m.group(1)), old)]
            order.append(name)
        chains[name].append((float(m.group(1)), new))
    lines = []
    for name in order:
        states = chains[name]
        text = " -> ".join(st for _, st in states)
        lines.append("\n".join(textwrap.wrap(f"{name}: {text}", WIDTH - 3,
                                              subsequent_indent=" " * 4)))
    return lines, order


def kv(lines):
    out = {}
    for line in lines:
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def debugfs_lines(debugfs):
    """Per channel directory: state and ring fill, then the non-zero counters."""
    chans = {}
    for path, content in debugfs.items():
        d, f = path.rsplit("/", 2)[-2:]
        chans.setdefault(d, {})[f] = kv(content)
    lines = []
    for d in sorted(chans):
        files = chans[d]
        state = files.get("state", {})
        ring = files.get("ring", {})
        head = f"{d}: state {state.get('state', '?')}"
        if ring.get("open") == "yes":
            head += (f", outgoing ring {ring.get('outgoing_used', '?')}/"
                     f"{ring.get('outgoing_size', '?')} B used, incoming "
                     f"{ring.get('incoming_used', '?')}/{ring.get('incoming_size', '?')} B")
        lines.append(shorten(head, WIDTH - 3))
        counters = files.get("counters", {})
        if not counters and len(files) == 1 and "state" not in files:
            counters = next(iter(files.values()))
        nonzero = [f"{k} {v}" for k, v in counters.items() if v not in ("0", "no")]
        text = ", ".join(nonzero) if nonzero else "all zero"
        zero = len(counters) - len(nonzero)
        if zero and nonzero:
            text += f" (the other {zero} are 0)"
        while text:
            cut = text if len(text) <= WIDTH - 5 else text[: text.rfind(", ", 0, WIDTH - 5) + 1]
            lines.append("  " + cut.strip())
            text = text[len(cut):]
    return lines, sorted(chans)


def main():
    out, kver, boot_s, total_s, timeout_s = sys.argv[1:6]
    channel = read(os.path.join(out, "channel-run.log")) or ""
    console = read(os.path.join(out, "console-run.log")) or ""
    rc_text = read(os.path.join(out, "qemu-run.rc"))
    qemu_rc = int(rc_text) if rc_text and rc_text.strip().lstrip("-").isdigit() else -1
    records, debugfs, blocks = split(channel)
    rec = lambda kind: [r[1:] for r in records if r and r[0] == kind]  # noqa: E731

    # the sample modules built (run.sh's list); the ones the boot loaded
    built = (read(os.path.join(out, "built.txt")) or "").split()
    backend = os.environ.get("RUN_BACKEND", "sim")
    core = ("vmbus_sim.ko", "hvsim.ko", "hv_vmbus.ko", "vmbkmcl.ko")
    samples = [m[:-3] for m in built if m not in core]
    steps = rec("STEP")
    loaded = [m[:-3] for s in steps if s and s[0] == "load" for m in s[1:]]
    have = lambda name: name in samples  # noqa: E731

    log = []
    for line in blocks["DMESG"]:
        m = DMESG.match(line)
        if m:
            log.append((float(m.group(1)), m.group(2), m.group(3)))

    r = Report()
    if backend == "upstream":
        r.out(f"make run: vmbkmcl on the {kver} debug test kernel in QEMU (TCG), over the "
              "kernel's own hv_vmbus.ko on hvsim.ko's simulated Hyper-V (backend: upstream)")
    else:
        r.out(f"make run: vmbkmcl on the {kver} debug test kernel in QEMU (TCG), "
              "vmbus_sim.ko as the VMBus host (backend: sim)")
    pairs = [m + (" + " + m + "_host" if m + "_host" in samples else "")
             for m in samples if not m.endswith("_host")]
    if os.path.exists(os.path.join(out, "console-run-first.log")):
        r.out("(booted twice: the first guest stopped before /init, see console-run-first.log)")
    r.out(shorten(f"samples: {', '.join(pairs) or 'none'}; {boot_s} s in QEMU, "
                  f"{total_s} s in all", WIDTH))
    r.out()

    demo = ("vmb_demo", "vmb_demo_host")
    hb = ("vmb_heartbeat", "vmb_heartbeat_host")
    no_demo = None if have("vmb_demo") and have("vmb_demo_host") else \
        "samples/demo/ was not built"
    no_hb = None if have("vmb_heartbeat") and have("vmb_heartbeat_host") else \
        "samples/heartbeat/ was not built"

    # each log line shows once, in the first of these sections that wants it
    claimed = set()
    sync = pick(log, demo, r"GET_INFO|sync request", claimed)
    ext = pick(log, demo, r"external data|CHECKSUM", claimed)
    nego = pick(log, hb, r"negotiat(ing|ed)\b", claimed)
    beats = pick(log, hb, r"^heartbeat \d+|heartbeats answered|after \d+ heartbeats", claimed)
    offer = pick(log, samples, r"offering|waiting for a device|bound to", claimed)
    unload = pick(log, samples, r"clos|rescind|removed", claimed)

    r.section("Offer and binding", [logline(e) for e in offer],
              no_demo is None and bool(pick(log, demo, r"^offering")) and
              bool(pick(log, ("vmb_demo",), r"^bound to")),
              "the demo device was not offered, or its VSC did not bind",
              na=None if samples else "no samples were built")

    trace_on = ["on"] in rec("TRACE")
    chains, traced = state_chains(blocks["TRACE"])
    r.section("Channel state changes (trace event vmbkmcl:vmb_state_change)", chains,
              any("vmb_demo" in name for name in traced),
              "no state change of the vmb_demo channel was traced",
              na="vmbkmcl has no vmb_state_change trace event" if ["absent"] in rec("TRACE")
              else None)

    r.section("Negotiation (vmb_heartbeat)", [logline(e) for e in nego], bool(nego),
              "no negotiation line from vmb_heartbeat", na=no_hb)

    answered = pick(log, hb, r"^heartbeat \d+ answered")
    r.section("Heartbeats (vmb_heartbeat)", head_tail(beats, 3, 2),
              bool(answered), "no heartbeat was answered", na=no_hb)

    r.section("Synchronous request (vmb_demo: VmbChannelSendSynchronousRequest)",
              [logline(e) for e in sync],
              bool(pick(log, ("vmb_demo",), r"GET_INFO answered:")),
              "vmb_demo's GET_INFO was not answered", na=no_demo)

    r.section("External data + checksum (vmb_demo: VmbPacketSendWithExternalMdl)",
              [logline(e) for e in ext],
              bool(pick(log, ("vmb_demo",), r"crc32 \w+ matches ours: OK")) and
              bool(pick(log, ("vmb_demo_host",), r"as the guest says")),
              "no crc32 match of the external data was reported", na=no_demo)

    dlines, dirs = debugfs_lines(debugfs)
    r.section("debugfs (/sys/kernel/debug/vmbkmcl/<channel>/, read before unloading)",
              dlines, any("vmb_demo" in d for d in dirs),
              "no debugfs directory for the vmb_demo channel",
              na="vmbkmcl has no debugfs files" if ["absent"] in rec("DEBUGFS") else None)

    r.section("Unload (host models first: their offers are rescinded)",
              head_tail(unload, 4, 2),
              no_demo is not None or bool(pick(log, ("vmb_demo",), r"closed")),
              "the vmb_demo channel was not closed", na=None if samples else "no samples were built")

    # the kernel's health, as 'make check' judges it
    problems = []
    if qemu_rc != 0:
        problems.append("QEMU timed out" if qemu_rc == 124 else f"QEMU exited with {qemu_rc}")
    if not steps:
        last = console.rstrip().rsplit("\n", 1)[-1].strip()
        problems.append(f"the guest never reached /init; last console line: {shorten(last, 50)}")
    elif not any(rr == ["END-OF-RUN"] for rr in records):
        problems.append("the guest never finished (no end marker)")
    for cause, pattern in CONSOLE_PATTERNS:
        m = re.search(pattern, console)
        if m:
            line = console[console.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
            problems.append(f"{cause}: {shorten(line.strip(), 70)}")
    for kind in ("INSMOD-FAILED", "RMMOD-FAILED", "LEFT"):
        for x in rec(kind):
            problems.append(f"{kind.lower()} {' '.join(x)}")
    if any(line.strip() for line in blocks["KMEMLEAK"]):
        problems.append("kmemleak reported leaks")
    for t in rec("TAINT"):
        if t and t[0].isdigit() and int(t[0]) & ~TAINT_ALLOWED:
            problems.append(f"kernel tainted {t[0]}")
    r.out("Kernel")
    if problems:
        for p in problems:
            r.out(f"   PROBLEM: {p}")
    else:
        r.out("   clean: no warning, BUG, lockdep or KASAN report, no leak, every module "
              "unloaded")
    r.out()

    seen = sum(1 for _, ok in r.steps if ok)
    na = [t.split(" (")[0] for t, ok in r.steps if ok is None]
    total = sum(1 for _, ok in r.steps if ok is not None)
    tail = f"; not available: {', '.join(na)}" if na else ""
    if r.missing or problems or total == 0:
        what = r.missing + (["a clean kernel"] if problems else [])
        r.out(shorten(f"VERDICT: FAIL: {seen} of {total} steps seen; missing: "
                      f"{', '.join(what)}{tail}", 200))
        rc = 1
    else:
        r.out(shorten(f"VERDICT: PASS: {seen} of {total} steps seen, kernel clean{tail}", 200))
        rc = 0
    print("\n".join(r.lines))
    return rc


if __name__ == "__main__":
    sys.exit(main())
