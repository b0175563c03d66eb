#!/usr/bin/env python3
"""Edits the CMake files of an unpacked Ramulator 2.1 tree for an offline, faster build (used by
scripts/reference/ramulator2.sh; see there). Changes build files only, never C++ sources.

usage: ramulator2_patch_build.py SRC_DIR
"""
import re
import sys

# Implementation sources left out of the library: standards, controllers, plugins and frontends
# the validation runs do not use (DDR4, LPDDR5, GenericDDR, LPDDR5 controller, FRFCFS[-RowHit],
# AllBank/PerBank refresh, Open row policy, RoBaRaCoCh and the External frontend stay).
UNUSED = {
    "src/ramulator/dram/CMakeLists.txt": [
        "impl/DDR3.cpp", "impl/DDR4_VRR.cpp", "impl/DDR5.cpp", "impl/DDR5_RFM.cpp", "impl/DDR5_RFM_VRR.cpp",
        "impl/DDR5_VRR.cpp", "impl/HBM1.cpp", "impl/HBM2.cpp", "impl/HBM3.cpp", "impl/HBM4.cpp",
        "impl/LPDDR6.cpp", "impl/GDDR6.cpp", "impl/GDDR7.cpp"],
    "src/ramulator/controller/CMakeLists.txt": [
        "refresh/impl/hbm34_per_bank_refresh.cpp", "addr_mapper/impl/mop4clxor.cpp",
        "addr_mapper/impl/rit_addr_mapper.cpp", "plugin/impl/issued_command_validation_hook.cpp",
        "plugin/impl/rfm_manager.cpp", "plugin/impl/para.cpp", "plugin/impl/oracle_rh.cpp", "plugin/impl/twice.cpp",
        "plugin/impl/graphene.cpp", "plugin/impl/hydra.cpp", "plugin/impl/rrs.cpp", "plugin/impl/aqua.cpp",
        "plugin/impl/samsung_trr.cpp", "plugin/impl/hynix_trr.cpp", "plugin/impl/ideal_trr.cpp",
        "plugin/impl/bin_trace_recorder.cpp", "plugin/impl/live_trace_streamer.cpp", "impl/lpddr6_controller.cpp",
        "impl/hbm_controller_base.cpp", "impl/hbm12_controller.cpp", "impl/hbm34_controller.cpp",
        "impl/gddr7_controller.cpp", "impl/prac_controller.cpp", "impl/blockhammer_controller.cpp"],
    "src/ramulator/frontend/CMakeLists.txt": [
        "impl/memory_trace/readwrite_trace.cpp", "impl/memory_trace/latency_throughput_trace.cpp",
        "impl/processor/simpleO3/simpleO3.cpp", "impl/processor/simpleO3/core.cpp",
        "impl/processor/simpleO3/llc.cpp", "impl/processor/bhO3/bhO3.cpp", "impl/processor/bhO3/bhcore.cpp",
        "impl/processor/bhO3/bhllc.cpp"],
}


def main():
    src = sys.argv[1]
    top = f"{src}/CMakeLists.txt"
    s = open(top).read()
    a, b = s.index("include(FetchContent)"), s.index("option(RAMULATOR_PYTHON_BINDINGS")
    s = s[:a] + (
        "# h2sim validation build (scripts/reference/ramulator2_patch_build.py): yaml-cpp and fmt from\n"
        "# Debian packages instead of FetchContent downloads.\n"
        "include(FetchContent)\n"
        "find_package(yaml-cpp REQUIRED)\n"
        "find_package(fmt REQUIRED)\n"
        "if(NOT TARGET yaml-cpp::yaml-cpp)\n"
        "  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)\n"
        "endif()\n") + s[b:]
    open(top, "w").write(s)
    for rel, names in UNUSED.items():
        path = f"{src}/{rel}"
        s = open(path).read()
        for n in names:
            if n not in s:
                sys.exit(f"ramulator2_patch_build.py: {rel} does not list {n}: a different Ramulator version?")
            s = re.sub(r"(?<![\w/])" + re.escape(n) + r"(?![\w.])", "", s)
        open(path, "w").write(s)


if __name__ == "__main__":
    main()
