#!/usr/bin/env python3
"""Memory request traces for the agreement of h2sim's DRAM engine with reference simulators.

Deterministic: the same workload name and seed give the same bytes on every platform (Python's
Mersenne Twister getrandbits, stable since Python 3.2; no float arithmetic). Traces are generated,
not committed: 2,097,152 requests are ~30 MiB of text each.

Format: Ramulator's load/store trace, one request of one burst per line, `LD 0x...` (read) or
`ST 0x...` (write), byte addresses (the format `h2sim dram --trace` and Ramulator 2's LoadStoreTrace
both read).

Two targets per workload, for the same sequence of DRAM requests:
  --target h2sim      addresses decoded by h2sim with the workload's mapping (passed to h2sim as
                      --address-mapping column,bank,bank_group,row; `h2sim_mapping` in `list --json`);
  --target ramulator  the same (bank group, bank, row, column) per request, encoded for Ramulator 2's
                      RoBaRaCoCh mapper (from the low bits: column, rank (one rank: no bits), bank
                      group, bank, row; src/ramulator/controller/addr_mapper/impl/ro_ba_ra_co_ch.cpp).
For RoBaRaCoCh workloads the two targets are the same file. The swapped-mapping workloads
(column, bank, bank group, row) are re-encoded for Ramulator instead of adding a mapper to it.

Usage:
  gen_traces.py list [--json]
  gen_traces.py WORKLOAD OUT_FILE [--target h2sim|ramulator] [--requests N] [--seed S]
"""
import argparse
import json
import os
import random
import sys

REQUESTS = 2_097_152  # the count: 2^21 one-burst requests
SEED = 1

# Geometry of one channel (h2sim's standard config; Ramulator's org preset).
GEOMETRY = {
    # DDR4-3200 x16 8 Gb, one device: 2 bank groups x 4 banks, 65536 rows of 2 KiB
    # (1024 columns x 16 bit), BL8 x 16 bit = 16 B per burst -> 1 GiB.
    "ddr4": {"burst_bytes": 16, "columns": 128, "bank_groups": 2, "banks": 4, "rows": 65536},
    # LPDDR5-6400 x16 (16 Gb die organisation, BG mode): 4 bank groups x 4 banks, 2 KiB rows,
    # BL16 x 16 bit = 32 B per burst; 131072 rows per bank = the 256 MiB banks of h2sim's
    # configs/hardware/h2llm.yaml -> 4 GiB per channel.
    "lpddr5": {"burst_bytes": 32, "columns": 64, "bank_groups": 4, "banks": 4, "rows": 131072},
}

ROBARACOCH = ["column", "bank_group", "bank", "row"]  # lowest bits first, above the burst offset
SWAPPED = ["column", "bank", "bank_group", "row"]

# name -> (standard, mapping, pattern, description)
WORKLOADS = {
    "ddr4-seq-read": ("ddr4", ROBARACOCH, "seq_read", "sequential reads from address 0"),
    "ddr4-seq-read-swapped": ("ddr4", SWAPPED, "seq_read", "sequential reads, bank and bank group swapped"),
    "ddr4-random-read": ("ddr4", ROBARACOCH, "random_read", "uniformly random reads over the 1 GiB channel"),
    "ddr4-random-read-swapped": ("ddr4", SWAPPED, "random_read",
                                 "uniformly random reads over 1 GiB, bank and bank group swapped"),
    "ddr4-mix-2r1w": ("ddr4", ROBARACOCH, "seq_mix_2r1w",
                      "sequential addresses, every third request a write (2:1 read/write)"),
    "ddr4-stride-one-bg": ("ddr4", ROBARACOCH, "stride_one_bg",
                           "reads at a stride of bank_groups x row bytes (4 KiB): bank group 0 only, "
                           "its 4 banks in turn, a new row every request"),
    "lpddr5-seq-read": ("lpddr5", ROBARACOCH, "seq_read", "sequential reads from address 0"),
    "lpddr5-seq-write": ("lpddr5", ROBARACOCH, "seq_write", "sequential writes from address 0"),
    "lpddr5-random-read": ("lpddr5", ROBARACOCH, "random_read", "uniformly random reads over the 4 GiB channel"),
}


def radix(geo, field):
    return {"column": geo["columns"], "bank_group": geo["bank_groups"], "bank": geo["banks"],
            "row": geo["rows"]}[field]


def decode(geo, mapping, address):
    x = address // geo["burst_bytes"]
    out = {}
    for f in mapping:
        r = radix(geo, f)
        out[f] = x % r
        x //= r
    return out


def encode(geo, mapping, fields):
    x = 0
    for f in reversed(mapping):
        x = x * radix(geo, f) + fields[f]
    return x * geo["burst_bytes"]


def bit_remapper(geo, src, dst):
    """A fast address translation from mapping src to dst when every radix is a power of two
    (same result as encode(geo, dst, decode(geo, src, a))); None otherwise."""
    sizes = {f: radix(geo, f) for f in src}
    if any(r & (r - 1) for r in sizes.values()) or geo["burst_bytes"] & (geo["burst_bytes"] - 1):
        return None
    bits = {f: r.bit_length() - 1 for f, r in sizes.items()}

    def shifts(mapping):
        out, pos = {}, geo["burst_bytes"].bit_length() - 1
        for f in mapping:
            out[f] = pos
            pos += bits[f]
        return out

    s_from, s_to = shifts(src), shifts(dst)
    moves = [(s_from[f], (1 << bits[f]) - 1, s_to[f]) for f in src]
    low = geo["burst_bytes"] - 1
    return lambda a: (a & low) | sum(((a >> i) & m) << o for i, m, o in moves)


def capacity(geo):
    return geo["burst_bytes"] * geo["columns"] * geo["bank_groups"] * geo["banks"] * geo["rows"]


def requests(name, n, seed):
    """Yields (is_write, address) in the workload's own (h2sim) mapping."""
    standard, _, pattern, _ = WORKLOADS[name]
    geo = GEOMETRY[standard]
    b = geo["burst_bytes"]
    bursts = capacity(geo) // b
    if pattern in ("seq_read", "seq_write"):
        if n > bursts:
            raise SystemExit(f"{n} requests exceed the channel's {bursts} bursts")
        w = pattern == "seq_write"
        return ((w, i * b) for i in range(n))
    if pattern == "seq_mix_2r1w":
        return ((i % 3 == 2, i * b) for i in range(n))
    if pattern == "random_read":
        bits = bursts.bit_length() - 1
        assert 1 << bits == bursts
        rng = random.Random(seed)
        return ((False, rng.getrandbits(bits) * b) for _ in range(n))
    if pattern == "stride_one_bg":
        stride = geo["bank_groups"] * geo["columns"] * b
        return ((False, (i * stride) % capacity(geo)) for i in range(n))
    raise AssertionError(pattern)


def write_trace(name, out, target, n, seed):
    standard, mapping, _, _ = WORKLOADS[name]
    geo = GEOMETRY[standard]
    reqs = requests(name, n, seed)
    if target == "ramulator" and mapping != ROBARACOCH:
        reqs = ((w, remap(a)) for w, a in reqs) if (remap := bit_remapper(geo, mapping, ROBARACOCH)) else \
            ((w, encode(geo, ROBARACOCH, decode(geo, mapping, a))) for w, a in reqs)
    tmp = f"{out}.partial.{os.getpid()}"
    with open(tmp, "w") as f:
        chunk = []
        for w, a in reqs:
            chunk.append(f"{'ST' if w else 'LD'} {a:#x}\n")
            if len(chunk) >= 65536:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))
    os.replace(tmp, out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", help="a workload name, or 'list'")
    p.add_argument("out", nargs="?", help="trace file to write")
    p.add_argument("--target", choices=["h2sim", "ramulator"], default="h2sim")
    p.add_argument("--requests", type=int, default=REQUESTS)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--json", action="store_true", help="with 'list': machine-readable")
    a = p.parse_args()
    if a.workload == "list":
        rows = {k: {"standard": s, "h2sim_mapping": m, "pattern": pat, "description": d}
                for k, (s, m, pat, d) in WORKLOADS.items()}
        if a.json:
            print(json.dumps(rows, indent=2))
        else:
            for k, r in rows.items():
                print(f"{k:28s} {r['standard']:7s} [{', '.join(r['h2sim_mapping'])}]  {r['description']}")
        return 0
    if a.workload not in WORKLOADS:
        print(f"gen_traces.py: unknown workload '{a.workload}'; valid: {', '.join(WORKLOADS)}", file=sys.stderr)
        return 2
    if not a.out:
        print("gen_traces.py: OUT_FILE is required", file=sys.stderr)
        return 2
    if a.requests < 1:
        print("gen_traces.py: --requests must be >= 1", file=sys.stderr)
        return 2
    write_trace(a.workload, a.out, a.target, a.requests, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
