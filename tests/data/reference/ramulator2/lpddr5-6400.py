"""Ramulator 2.1 configuration matching h2sim's configs/dram/lpddr5-6400.yaml on one x16 channel of
configs/hardware/h2llm.yaml (external path, open page, FR-FCFS). Exported to lpddr5-6400.yaml with
`python -m ramulator export lpddr5-6400.py -o lpddr5-6400.yaml` (see README.md here); the YAML is
what the recorded runs used.

Every choice, against h2sim's config:
- Organisation: LPDDR5_16Gb_x16 preset (BG mode: 4 bank groups x 4 banks, 1024 columns x 16 bit =
  2 KiB rows, BL16 = 32 B per request) with row = 131072 so that a bank holds 256 MiB and the
  channel 4 GiB, as h2llm.yaml's bank_capacity_mib (the 16 Gb preset has 65536 rows).
- Timing: LPDDR5_6400 preset (tCK 1250 ps), overridden where h2sim's file differs:
  nCL 20 (preset 17), nCWL 11 (preset 9), nRTP 4 (preset 8). Equal already: nBL_min 2, nRCD 15,
  nRP 15, nRPab 17, nRAS 34, nRC 49, nWR 28, nPPD 2, nCCDS 2, nCCDL 4, nWTRS 5, nWTRL 10,
  nRRDS = nRRDL = 4 (h2sim nrrd 4), nFAW 16.
  Refresh: nRFC 224 (tRFCab 280 ns at 16 Gb) and nREFI 3125 (3906 ns), as h2sim.
- wck_sync_mode always_on: h2sim does not model WCK2CK synchronisation (no CAS-WS commands).
- Controller: read and write buffers of 32 (h2sim: one queue of controller.queue_depth 32; see
  docs/validation.md for what differs), open row policy, all-bank refresh every nREFI.
- Scheduler FRFCFS-RowHit: first-ready FCFS where a precharge may not pre-empt an older row hit;
  h2sim's FR-FCFS serves a bank's row hits before closing its row.
- Address mapping RoBaRaCoCh (from the low bits: column, bank group, bank, row); h2sim is run with
  --dram-set controller.address_mapping=[column,bank_group,bank,row].
- One channel: CacheLineInterleave maps every address to channel 0 unchanged (its one-channel case); memory system and External frontend at clock ratio 1
  (one controller tick per CK).
"""
import ramulator

frontend = ramulator.frontend.External(clock_ratio=1)
dram = ramulator.dram.LPDDR5(
    org_preset="LPDDR5_16Gb_x16",
    timing_preset="LPDDR5_6400",
    row=1 << 17,
    nCL=20,
    nCWL=11,
    nRTP=4,
    nRFC=224,
    nREFI=3125,
)
ctrl = ramulator.controller.LPDDR5(
    dram=dram,
    scheduler=ramulator.scheduler.FRFCFSRowHit(),
    refresh_manager=ramulator.refresh_manager.AllBank(),
    row_policy=ramulator.row_policy.Open(),
    addr_mapper=ramulator.addr_mapper.RoBaRaCoCh(),
    read_buffer_size=32,
    write_buffer_size=32,
    wck_sync_mode="always_on",
)
mem = ramulator.memory_system.GenericDRAM(
    clock_ratio=1,
    controllers=[ctrl],
    channel_mapper=ramulator.channel_mapper.CacheLineInterleave(),
)
sim = ramulator.Simulation(frontend, mem)
