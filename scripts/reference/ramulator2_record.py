#!/usr/bin/env python3
"""Adds one Ramulator 2 run to tests/data/reference/ramulator2/results.json (used by
scripts/reference/ramulator2.sh). Keys carry their units; the file is rewritten atomically with
sorted keys so that re-recording the same runs gives the same bytes (wall time aside)."""
import argparse
import hashlib
import json
import os


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_kv(path):
    out = {}
    for line in open(path):
        k, _, v = line.partition(":")
        out[k.strip()] = v.strip()
    return out


def controller_stats(path):
    """The controller's counters from Ramulator's stats dump (flat `key: value` lines)."""
    keep = {"row_hits", "row_misses", "row_conflicts", "num_read_reqs", "num_write_reqs", "avg_read_latency",
            "read_queue_len_avg", "write_queue_len_avg", "cycles"}
    out = {}
    for line in open(path):
        k, _, v = line.strip().partition(":")
        if k in keep and v.strip():
            try:
                out[k] = float(v) if "." in v else int(v)
            except ValueError:
                pass
    return out


def main():
    p = argparse.ArgumentParser()
    for k in ("results", "workload", "config", "config-dir", "commit", "replay-out", "stats", "trace",
              "generator-command", "wall-s"):
        p.add_argument("--" + k, required=True)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    run = parse_kv(a.replay_out)
    cfg_yaml = os.path.join(a.config_dir, a.config + ".yaml")
    tck_ps = {"ddr4-3200": 625, "lpddr5-6400": 1250}[a.config]  # the configs' tCK_ps
    cycles = int(run["memory_cycles_to_last_completion"])
    requests = int(run["requests"])
    tx = int(run["tx_bytes"])
    start, end = (float(x) for x in a.wall_s.split(":"))
    entry = {
        "config": f"tests/data/reference/ramulator2/{a.config}.yaml",
        "config_sha256": sha256(cfg_yaml),
        "trace": {
            "generator": "tests/data/reference/gen_traces.py",
            "command": a.generator_command,
            "workload": a.workload,
            "target": "ramulator",
            "seed": int(a.seed),
            "sha256": sha256(a.trace),
        },
        "command": f"ramulator2_replay {a.config}.yaml {a.workload}.trace",
        "requests": requests,
        "reads": int(run["reads"]),
        "writes": int(run["writes"]),
        "request_bytes": tx,
        "tck_ps": tck_ps,
        "memory_cycles": cycles,
        "memory_cycles_to_last_accept": int(run["memory_cycles_to_last_accept"]),
        "bandwidth_gbps": requests * tx / (cycles * tck_ps * 1e-3),
        "avg_read_latency_cycles": float(run["avg_read_latency_cycles_driver"]),
        "avg_read_latency_ns": float(run["avg_read_latency_cycles_driver"]) * tck_ps * 1e-3,
        "controller_stats": controller_stats(a.stats),
        "wall_s": round(end - start, 2),
    }
    doc = {}
    if os.path.exists(a.results):
        doc = json.load(open(a.results))
    doc["reference"] = {
        "simulator": "Ramulator 2.1",
        "repository": "https://github.com/CMU-SAFARI/ramulator2",
        "commit": a.commit,
        "build": "scripts/reference/ramulator2.sh (Release, g++-12, Debian yaml-cpp/fmt, unused sources left out)",
        "replay": "scripts/reference/ramulator2_replay.cpp: one request offered per controller cycle, "
                  "cycles counted to the last completion (reads: data returned)",
    }
    doc.setdefault("workloads", {})[a.workload] = entry
    tmp = f"{a.results}.partial.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, a.results)


if __name__ == "__main__":
    main()
