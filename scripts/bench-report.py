#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tables, JSON and a plot from the benchmark boots of 'make bench'.

bench-report.py OUT_DIR KVER...

Reads OUT_DIR/channel-KVER.log (the @@ lines bench/vmb_bench.ko printed, see
bench/main.c), OUT_DIR/console-KVER.log and OUT_DIR/qemu-KVER.rc written by
scripts/boot.sh. Writes OUT_DIR/results.json, OUT_DIR/results.txt (also
printed) and OUT_DIR/ratios.png (gnuplot). Exit status 1 when a boot did not
run the benchmark to its end or the kernel warned; the figures are reported,
never judged: a benchmark is not a test.

Every figure is a median over the timed runs of ns per operation in guest
instruction time (QEMU -icount shift=0: one ns per instruction). Ratios:
  throughput cases: Vmb packets/s / raw packets/s = raw ns / Vmb ns (target >= 0.95)
  latency and cost cases: Vmb ns / raw ns (round trip target <= 1.05)
"""
import bisect
import json
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verdict import CONSOLE_PATTERNS  # noqa: E402

TAGS = ("CASE", "RUN", "NA", "ERR", "MEM", "MEMSITE", "CHECK", "PROFRUN", "SYMBOL",
        "BEGIN-BENCH", "END-BENCH")
THROUGHPUT_TARGET = 0.95
LATENCY_TARGET = 1.05
FLAT_TARGET = 0.05


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().replace("\r", "")
    except FileNotFoundError:
        return None


def parse_channel(text):
    """The @@ records of the bench module, in order: (tag, object)."""
    records = []
    for line in text.splitlines():
        m = re.match(r"^@@([A-Z-]+) (\{.*\})\s*$", line)
        if m and m.group(1) in TAGS:
            try:
                records.append((m.group(1), json.loads(m.group(2))))
            except json.JSONDecodeError:
                records.append(("BAD", {"line": line}))
    return records


def boot_failures(out, kver, text):
    failures = []
    rc = (read(os.path.join(out, f"qemu-{kver}.rc")) or "").strip()
    if rc != "0":
        failures.append(f"QEMU exit status {rc or 'missing'}")
    if "@@END-OF-RUN" not in text:
        failures.append("the boot never reached @@END-OF-RUN")
    if "@@END-BENCH" not in text:
        failures.append("vmb_bench did not finish")
    for line in text.splitlines():
        if line.startswith("@@INSMOD-FAILED") or line.startswith("@@RMMOD-FAILED"):
            failures.append(line[2:])
    console = read(os.path.join(out, f"console-{kver}.log")) or ""
    for cause, pattern in CONSOLE_PATTERNS:
        m = re.search(pattern, console)
        if m:
            failures.append(f"console: {cause}: {console[m.start():m.start() + 120].splitlines()[0]}")
    return failures


ORIGINS = {"vmbkmcl": "library (vmbkmcl.ko)", "vmb_bench": "client code (vmb_bench.ko)",
           "vmbus_sim": "simulator (vmbus_sim.ko)"}


def origin_of(symbol):
    m = re.search(r"\[(\w+)\]$", symbol)
    return ORIGINS.get(m.group(1), m.group(1)) if m else "kernel"


class Symbolizer:
    """Guest addresses to function names: System.map and the modules' kallsyms."""

    def __init__(self, out, kver, text):
        syms = []
        for line in (read(os.path.join(out, f"System.map-{kver}")) or "").splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TtWw":
                syms.append((int(f[0], 16), f[2]))
        inside = False
        for line in text.splitlines():
            if line == "@@KALLSYMS-BEGIN":
                inside = True
            elif line == "@@KALLSYMS-END":
                inside = False
            elif inside:
                f = line.split()
                if len(f) >= 4 and f[1] in "TtWw":
                    syms.append((int(f[0], 16), f"{f[2]} {f[3]}"))
        syms.sort()
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]
        self.regions = {}
        current = None
        for line in (read(os.path.join(out, f"insns-{kver}.txt")) or "").splitlines():
            if line.startswith("region "):
                current = self.regions.setdefault(int(line.split()[1]), [])
            elif current is not None:
                a, n, c = line.split()
                current.append((int(a, 16), int(n), int(c)))
        self.cache = {}

    def name(self, addr):
        if addr < 0xffff800000000000:
            return "(user space)"
        if addr not in self.cache:
            i = bisect.bisect_right(self.addrs, addr) - 1
            self.cache[addr] = self.names[i] if i >= 0 else hex(addr)
        return self.cache[addr]

    def region(self, n):
        if n not in self.regions:
            return None
        counts = {}
        for addr, insns, execs in self.regions[n]:
            k = self.name(addr)
            counts[k] = counts.get(k, 0) + insns * execs
        return counts


def summarize(records, symbolize):
    cases, order = {}, []
    memory, checks, symbols, profiles = [], [], {}, {}
    meta = {}
    for tag, o in records:
        if tag == "CASE":
            cases[o["id"]] = dict(o, variants={}, na={}, errors={})
            order.append(o["id"])
        elif tag == "RUN":
            v = cases[o["id"]]["variants"].setdefault(o["variant"], [])
            v.append(o["ns"] / o["ops"])
        elif tag == "NA":
            if o["id"] in cases:
                cases[o["id"]]["na"][o["variant"]] = o["reason"]
        elif tag == "ERR":
            if o["id"] in cases:
                cases[o["id"]]["errors"][o["variant"]] = o["errno"]
        elif tag == "MEM":
            memory.append(o)
        elif tag == "MEMSITE":
            memory.append(dict(what="slab kept per channel, by call site", **o))
        elif tag == "CHECK":
            checks.append(o)
        elif tag == "SYMBOL":
            symbols[o["name"]] = o["present"]
        elif tag == "PROFRUN":
            profiles.setdefault(o["id"], {}).setdefault(o["variant"], []).append(o)
        elif tag == "BEGIN-BENCH":
            meta = o

    floors = {}
    for cid in order:
        c = cases[cid]
        if c["kind"] == "floor" and c["variants"].get("memcpy"):
            floors[c["bytes"]] = statistics.median(c["variants"]["memcpy"])

    out = []
    for cid in order:
        c = cases[cid]
        row = {"id": cid, "group": c["group"], "title": c["title"], "kind": c["kind"],
               "bytes": c["bytes"], "variants": {}}
        for name, vals in c["variants"].items():
            med = statistics.median(vals)
            row["variants"][name] = {
                "ns_per_op": med,
                "ops_per_s": 1e9 / med if med else None,
                "runs": len(vals),
                "spread": (max(vals) - min(vals)) / med if med else None,
            }
        row["not_available"] = c["na"]
        row["errors"] = c["errors"]
        raw = row["variants"].get("raw", {}).get("ns_per_op")
        for name in ("vmb", "vmb-alloc"):
            v = row["variants"].get(name)
            if not v or not raw:
                continue
            v["time_ratio"] = v["ns_per_op"] / raw
            v["delta_ns"] = v["ns_per_op"] - raw
            if c["kind"] == "throughput":
                v["ratio"] = raw / v["ns_per_op"]
            else:
                v["ratio"] = v["ns_per_op"] / raw
        if c["kind"] in ("throughput", "cost") and cid[0] in "acd" and c["bytes"] in floors:
            row["floor_ns"] = floors[c["bytes"]]
        out.append(row)

    prof = {}
    for cid, p in profiles.items():
        prof[cid] = {}
        for variant, runs in p.items():
            # the profile of the run nearest the median
            med = statistics.median(r["ns"] for r in runs)
            run = min(runs, key=lambda r: abs(r["ns"] - med))
            counts = symbolize.region(run["region"])
            if counts is None:
                continue
            ops = run["ops"]
            prof[cid][variant] = {
                "instructions_per_op": sum(counts.values()) / ops,
                "timed_ns_per_op": run["ns"] / ops,
                "symbols": {k: v / ops for k, v in counts.items()},
            }
        if "raw" in prof[cid] and "vmb" in prof[cid]:
            names = set(prof[cid]["raw"]["symbols"]) | set(prof[cid]["vmb"]["symbols"])
            diff = []
            for name in names:
                a = prof[cid]["vmb"]["symbols"].get(name, 0.0)
                b = prof[cid]["raw"]["symbols"].get(name, 0.0)
                diff.append({"symbol": name, "vmb": a, "raw": b, "delta": a - b})
            diff.sort(key=lambda d: -abs(d["delta"]))
            prof[cid]["difference"] = diff
            origin = {}
            for d in diff:
                o = origin_of(d["symbol"])
                origin[o] = origin.get(o, 0.0) + d["delta"]
            prof[cid]["difference_by_origin"] = origin
    return {"meta": meta, "cases": out, "memory": memory, "checks": checks,
            "symbols": symbols, "profiles": prof}


def vmb_ns(rows, cid):
    for r in rows:
        if r["id"] == cid:
            return r["variants"].get("vmb", {}).get("ns_per_op")
    return None


def targets(res):
    """Each target of issue 7: met, missed or not measurable, with the figures."""
    rows = res["cases"]
    t = []
    for r in rows:
        v = r["variants"].get("vmb")
        if r["kind"] == "throughput":
            goal, ok = f">= {THROUGHPUT_TARGET}", lambda x: x >= THROUGHPUT_TARGET
        elif r["kind"] == "latency":
            goal, ok = f"<= {LATENCY_TARGET}", lambda x: x <= LATENCY_TARGET
        else:
            continue
        if not v or "ratio" not in v:
            t.append({"target": f"{r['id']} ratio {goal}", "status": "not available",
                      "why": "; ".join(f"{k}: {x}" for k, x in r["not_available"].items())
                      or "; ".join(f"{k}: errno {x}" for k, x in r["errors"].items())})
            continue
        t.append({"target": f"{r['id']} ratio {goal}", "value": round(v["ratio"], 4),
                  "status": "met" if ok(v["ratio"]) else "missed"})
    for family, points in (("e.outstanding", (1, 100, 10000)), ("e.outstanding.cost", (1, 100, 10000)),
                           ("e.channels", (1, 8, 64)), ("e.channels.cost", (1, 8, 64))):
        vals = [vmb_ns(rows, f"{family}.{p}") for p in points]
        if any(x is None for x in vals):
            continue
        dev = max(abs(x / vals[0] - 1) for x in vals)
        t.append({"target": f"{family}: Vmb ns per send within ±5% over {points}",
                  "value": [round(x, 1) for x in vals], "deviation": round(dev, 4),
                  "status": "met" if dev <= FLAT_TARGET else "missed"})
    zc = [c for c in res["checks"] if c["check"] == "zero_copy"]
    ext_rows = [r for r in rows if r["id"].startswith("c.ext.")]
    vmb_ran = [r for r in ext_rows if "vmb" in r["variants"]]
    if not vmb_ran:
        t.append({"target": "no copy of external data", "status": "not available",
                  "why": "; ".join(sorted({x for r in ext_rows for x in r["not_available"].values()}))})
    else:
        bad = [c for c in zc if not c["ok"]]
        t.append({"target": "no copy of external data (host sees the caller's frames)",
                  "status": "missed" if bad else "met", "value": len(zc) - len(bad)})
    return t


def fmt_ns(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def table(kver, res):
    lines = [f"== kernel {kver}: ns per operation in instruction time (median of "
             f"{res['meta'].get('runs', '?')} runs; spread = (max-min)/median) =="]
    hdr = f"{'case':<24} {'kind':<10} {'Vmb ns':>10} {'raw ns':>10} {'ratio':>7} {'Δ ns':>8} {'alloc ratio':>11} {'memcpy ns':>9} {'spread':>7}"
    group = None
    for r in res["cases"]:
        if r["group"] != group:
            group = r["group"]
            lines += ["", f"({group})", hdr]
        raw = r["variants"].get("raw", {})
        vmb = r["variants"].get("vmb", {})
        alloc = r["variants"].get("vmb-alloc", {})
        if r["kind"] == "floor":
            m = r["variants"].get("memcpy", {})
            lines.append(f"{r['id']:<24} {'floor':<10} {'':>10} {fmt_ns(m.get('ns_per_op')):>10}")
            continue
        spread = max([v.get("spread") or 0 for v in r["variants"].values()] or [0])
        ratio = f"{vmb['ratio']:.3f}" if "ratio" in vmb else "n/a"
        aratio = f"{alloc['ratio']:.3f}" if "ratio" in alloc else ""
        delta = fmt_ns(vmb.get("delta_ns")) if "delta_ns" in vmb else ""
        lines.append(f"{r['id']:<24} {r['kind']:<10} {fmt_ns(vmb.get('ns_per_op')):>10} "
                     f"{fmt_ns(raw.get('ns_per_op')):>10} {ratio:>7} {delta:>8} {aratio:>11} "
                     f"{fmt_ns(r.get('floor_ns')):>9} {spread * 100:>6.2f}%")
        for variant, why in r["not_available"].items():
            lines.append(f"    {variant}: not available: {why}")
        for variant, err in r["errors"].items():
            lines.append(f"    {variant}: failed, errno {err}")
    if res["memory"]:
        lines += ["", "(e) memory"]
        for m in res["memory"]:
            lines.append("    " + ", ".join(f"{k}={v}" for k, v in m.items()))
    if res["checks"]:
        lines += ["", "checks"]
        for c in res["checks"]:
            lines.append("    " + ", ".join(f"{k}={v}" for k, v in c.items()))
    missing = [n for n, p in res["symbols"].items() if not p]
    if missing:
        lines += ["", "library functions not exported yet: " + ", ".join(missing)]
    lines += ["", "targets"]
    for t in res["targets"]:
        extra = ", ".join(f"{k}={v}" for k, v in t.items() if k not in ("target", "status"))
        lines.append(f"    {t['status']:<14} {t['target']}" + (f" ({extra})" if extra else ""))
    for cid, p in res["profiles"].items():
        if "difference" not in p:
            continue
        lines += ["", f"profile {cid}: instructions per operation, Vmb {fmt_ns(p['vmb']['instructions_per_op'])}"
                      f" (timed {fmt_ns(p['vmb']['timed_ns_per_op'])} ns), raw {fmt_ns(p['raw']['instructions_per_op'])}"
                      f" (timed {fmt_ns(p['raw']['timed_ns_per_op'])} ns)"]
        lines.append("    difference by origin: " + ", ".join(
            f"{o} {v:+.0f}" for o, v in sorted(p["difference_by_origin"].items(), key=lambda x: -abs(x[1]))
            if abs(v) >= 0.5))
        lib = sorted(((n, v) for n, v in p["vmb"]["symbols"].items() if n.endswith("[vmbkmcl]")),
                     key=lambda x: -x[1])
        lines.append("    library functions: " + ", ".join(f"{n.split()[0]} {v:.0f}" for n, v in lib if v >= 0.5))
        lines.append("    largest differences (Vmb - raw, instructions per operation):")
        for d in p["difference"][:16]:
            lines.append(f"    {d['delta']:>+9.1f}  vmb {d['vmb']:>8.1f}  raw {d['raw']:>8.1f}  {d['symbol']}")
    return "\n".join(lines)


def plot(out, results):
    """One panel per kernel, a bar per case: Vmb time per operation over raw's."""
    colors = {"throughput": 0x3070c0, "latency": 0xe07020, "cost": 0x909090}
    panels = []
    for kver, res in results.items():
        dat = os.path.join(out, f"ratios-{kver}.dat")
        with open(dat, "w") as f:
            i = 0
            for r in res["cases"]:
                v = r["variants"].get("vmb", {}).get("time_ratio")
                if r["kind"] == "floor":
                    continue
                f.write(f"{i} {v if v else 'NaN'} {colors[r['kind']]} \"{r['id']}\"\n")
                i += 1
        if i:
            panels.append((kver, dat))
    if not panels:
        return
    script = [f"""set terminal pngcairo size 1400,{560 * len(panels)} font ",10"
set output '{os.path.join(out, "ratios.png")}'
set multiplot layout {len(panels)},1
set style fill solid 0.85 border -1
set boxwidth 0.8
set xtics rotate by -60 font ",8" nomirror
set ylabel "Vmb time / raw time per operation"
set yrange [0:*]
set grid ytics
set key top left opaque
set bmargin 9
"""]
    for kver, dat in panels:
        script.append(f"""set title "Linux {kver}: Vmb* over raw hv_vmbus, instruction time (median); missing bar: not available" noenhanced
plot '{dat}' using 1:2:3:xtic(4) with boxes lc rgb variable notitle, \\
     NaN with boxes lc rgb "#3070c0" title "throughput case (target: Vmb/raw time <= 1/0.95 = 1.053)", \\
     NaN with boxes lc rgb "#e07020" title "round trip (target <= 1.05)", \\
     NaN with boxes lc rgb "#909090" title "cost of one call or page (no target)", \\
     1.0526 with lines lc rgb "red" dt 2 title "1.053", \\
     1.0 with lines lc rgb "black" dt 3 title "1.0 = raw"
""")
    script.append("unset multiplot\n")
    try:
        subprocess.run(["gnuplot"], input="".join(script), text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"gnuplot failed: {e}", file=sys.stderr)


def main():
    out, kvers = sys.argv[1], sys.argv[2:]
    results, failed, text_out = {}, [], []
    for kver in kvers:
        text = read(os.path.join(out, f"channel-{kver}.log")) or ""
        res = summarize(parse_channel(text), Symbolizer(out, kver, text))
        res["targets"] = targets(res)
        res["boot_failures"] = boot_failures(out, kver, text)
        results[kver] = res
        text_out.append(table(kver, res))
        for f in res["boot_failures"]:
            failed.append(f"{kver}: {f}")
    source = (read(os.path.join(out, "source.txt")) or "").strip().splitlines()
    doc = {
        "command": "make bench" + (f" KVERS='{' '.join(kvers)}'" if kvers != ["6.1"] else ""),
        "source": source,
        "method": "QEMU TCG -icount shift=0,sleep=off -smp 1; ns = guest instructions; "
                  "median of the timed runs; base (non-debug) test kernel",
        "kernels": results,
    }
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    report = "\n".join(["measured: " + line for line in source] + [""]) + "\n\n".join(text_out)
    if failed:
        report += "\n\nBOOT FAILURES:\n" + "\n".join("    " + f for f in failed)
    with open(os.path.join(out, "results.txt"), "w") as f:
        f.write(report + "\n")
    plot(out, results)
    print(report)
    print(f"\nresults: {out}/results.json, {out}/results.txt, {out}/ratios.png")
    return 1 if failed or not kvers else 0


if __name__ == "__main__":
    sys.exit(main())
