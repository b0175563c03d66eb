"""Ramulator 2.1 configuration matching h2sim's configs/dram/ddr4-3200.yaml: one DDR4-3200AA x16 8 Gb
device as the whole channel (1 GiB), open page, FR-FCFS. Exported to ddr4-3200.yaml with
`python -m ramulator export ddr4-3200.py -o ddr4-3200.yaml` (see README.md here); the YAML is what
the recorded runs used.

Every choice, against h2sim's config:
- Organisation: DDR4_8Gb_x16 preset (2 bank groups x 4 banks, 65536 rows, 1024 columns x 16 bit =
  2 KiB rows) with channel_width 16: one x16 device is the channel, so a request is one BL8 burst
  of 16 B (the preset's 64-bit DIMM channel would make it 64 B).
- Timing: DDR4_3200AA preset (tCK 625 ps; nCL 22, nRCD 22, nRP 22, nRAS 52, nRC 74, nWR 24,
  nRTP 12, nCWL 16, nCCDS 4, nCCDL 8, nWTRS 4, nWTRL 12, nBL 4) and the x16 secondary timings
  Ramulator derives (nRRDS 9, nRRDL 11, nFAW 48): all equal to h2sim's file.
  Refresh: nREFI 12480 (7.8 us) as both; nRFC 560 (tRFC1 350 ns for 8 Gb, JEDEC JESD79-4 and
  h2sim) overrides Ramulator's 576 (it tabulates 360 ns for 8 Gb).
- Controller GenericDDR: read and write buffers of 32 (h2sim: one queue of controller.queue_depth
  32; see docs/validation.md for what differs), open row policy, all-bank refresh every nREFI.
- Scheduler FRFCFS-RowHit: first-ready FCFS where a precharge may not pre-empt an older row hit;
  h2sim's FR-FCFS serves a bank's row hits before closing its row.
- Address mapping RoBaRaCoCh (from the low bits: column, bank group, bank, row). The swapped-mapping
  workloads are re-encoded by gen_traces.py --target ramulator instead.
- One channel: CacheLineInterleave maps every address to channel 0 unchanged (its one-channel case); memory system and External frontend at clock ratio 1.
"""
import ramulator

frontend = ramulator.frontend.External(clock_ratio=1)
dram = ramulator.dram.DDR4(
    org_preset="DDR4_8Gb_x16",
    timing_preset="DDR4_3200AA",
    channel_width=16,
    nRFC=560,
)
ctrl = ramulator.controller.GenericDDR(
    dram=dram,
    scheduler=ramulator.scheduler.FRFCFSRowHit(),
    refresh_manager=ramulator.refresh_manager.AllBank(),
    row_policy=ramulator.row_policy.Open(),
    addr_mapper=ramulator.addr_mapper.RoBaRaCoCh(),
    read_buffer_size=32,
    write_buffer_size=32,
)
mem = ramulator.memory_system.GenericDRAM(
    clock_ratio=1,
    controllers=[ctrl],
    channel_mapper=ramulator.channel_mapper.CacheLineInterleave(),
)
sim = ramulator.Simulation(frontend, mem)
