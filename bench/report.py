#!/usr/bin/env python3
"""Prints scripts/bench.sh's table from its results folder, with the machine, the commit and the
change against bench/baseline.json; --update-baseline rewrites the baseline with these figures."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "baseline.json")


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = 0.0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_gib = int(line.split()[1]) / 2**20
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=HERE).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, cwd=HERE).stdout.strip()
        if dirty:
            commit += " (+ uncommitted changes)"
    except OSError:
        commit = "unknown"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_gib, 1), "commit": commit}


def benchmarks(path):
    if not os.path.exists(path):
        return {}
    return {b["name"]: b for b in json.load(open(path))["benchmarks"]}


def figures(res):
    """(key, label, value, unit, higher_is_better) rows."""
    rows = []
    core = benchmarks(os.path.join(res, "core.json"))
    for path in ("external", "hb"):
        b = core.get("BM_DramStream/%s/real_time" % path)
        if b:
            rows.append(("dram_%s_mcycles_per_s" % path, "DRAM sequential stream, %s path" % path,
                         b["dram_cycles_per_s"] / 1e6, "M DRAM cycles/s", True))
    for std, label in (("lpddr5", "LPDDR5-6400"), ("ddr4", "DDR4-3200")):
        for pattern in ("sequential", "random"):
            b = core.get("BM_DramTraceReplay/%s_%s/real_time" % (std, pattern))
            if b:
                rows.append(("dram_trace_%s_%s_mreq_per_s" % (std, pattern),
                             "DRAM trace replay, %s %s, 2 M reads (target >= 5)" % (label, pattern),
                             b["requests_per_s"] / 1e6, "M requests/s", True))
    b = core.get("BM_TraceChecker/real_time")
    if b:
        rows.append(("trace_checker_mcommands_per_s", "verify-trace on a random-read command trace",
                     b["commands_per_s"] / 1e6, "M commands/s", True))
    b = core.get("BM_AnalyticEvaluator/real_time")
    if b:
        rows.append(("evaluator_evals_per_s", "analytic evaluator (LLaMA3-8B ShareGPT b1)",
                     b["evaluations_per_s"], "evaluations/s", True))
    b = core.get("BM_GeneticSearch/iterations:1/real_time")
    if b:
        rows.append(("ga_2500x50_s", "GA 2500 x 50, 1 thread", b["real_time"], "s", False))
        rows.append(("ga_evals_per_s", "GA evaluations", b["evaluations_per_s"], "evaluations/s", True))
    for name, label in (("decode_gemv", "cycle GEMV 1x4096x14336 (NMP)"),
                        ("prefill_gemm", "cycle GEMM 783x4096x4096 (NPU)")):
        b = benchmarks(os.path.join(res, "gemm-%s.json" % name)).get("BM_Gemm/%s/iterations:1/real_time" % name)
        if b:
            rows.append(("gemm_%s_ms" % name, label, b["real_time"], "ms wall", False))
            rows.append(("gemm_%s_kdeltas_per_s" % name, "  SystemC delta cycles", b["delta_cycles_per_s"] / 1e3,
                         "k deltas/s", True))
    for batch in (1, 16):
        for exact in (False, True):
            name = "run-b%d%s" % (batch, "-exact" if exact else "")
            wall = os.path.join(res, name + ".wall")
            if not os.path.exists(wall):
                continue
            j = json.load(open(os.path.join(res, name + ".json")))
            label = "run LLaMA3-8B ShareGPT b%d cycle%s" % (batch, ", --exact" if exact else ", memoized")
            rows.append((name.replace("-", "_") + "_s", label, float(open(wall).read()), "s wall", False))
            rows.append((name.replace("-", "_") + "_mags", "  MAGs simulated / memoized",
                         "%d / %d" % (j.get("mags_simulated", 0), j.get("mags_memoized", 0)), "", None))
            if "wall_peak_rss_mib" in j:
                rows.append((name.replace("-", "_") + "_peak_mib", "  peak memory", j["wall_peak_rss_mib"], "MiB", False))
    name = "run-70b-b16"
    if os.path.exists(os.path.join(res, name + ".wall")):
        j = json.load(open(os.path.join(res, name + ".json")))
        rows.append(("run_70b_b16_s", "run LLaMA3-70B LongBench b16 cycle (256 GiB DRAM)",
                     float(open(os.path.join(res, name + ".wall")).read()), "s wall", False))
        rows.append(("run_70b_b16_peak_mib", "  peak memory (target < 2048)", j["wall_peak_rss_mib"], "MiB", False))
    return rows


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    update = "--update-baseline" in sys.argv
    res = args[0]
    m = machine()
    rows = figures(res)
    base = json.load(open(BASELINE)) if os.path.exists(BASELINE) else {"figures": {}}
    bf = base.get("figures", {})
    print("h2sim benchmarks: commit %s; %s, %d CPUs, %.1f GiB" % (m["commit"], m["cpu"], m["nproc"], m["memory_gib"]))
    if base.get("machine"):
        bm = base["machine"]
        print("baseline: commit %s; %s, %s CPUs, %s GiB" % (bm.get("commit"), bm.get("cpu"), bm.get("nproc"),
                                                           bm.get("memory_gib")))
    print()
    print("| benchmark | value | unit | baseline | change |")
    print("|---|---:|---|---:|---:|")
    for key, label, value, unit, higher in rows:
        if isinstance(value, str):
            print("| %s | %s | %s | | |" % (label, value, unit))
            continue
        old = bf.get(key)
        change = ""
        if isinstance(old, (int, float)) and old > 0:
            ratio = value / old
            better = ratio >= 1 if higher else ratio <= 1
            change = "%+.1f%% (%s)" % ((ratio - 1) * 100, "better" if better else "worse")
        print("| %s | %.4g | %s | %s | %s |" % (label, value, unit, "%.4g" % old if isinstance(old, (int, float)) else "-",
                                             change))
    if update:
        out = {"machine": m, "figures": {k: v for k, _, v, _, _ in rows if not isinstance(v, str)}}
        tmp = BASELINE + ".partial"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, BASELINE)
        print("\nwrote %s" % BASELINE)


if __name__ == "__main__":
    main()
