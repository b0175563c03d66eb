#!/usr/bin/env bash
# Installs h2sim's build and test dependencies from Debian 12's own packages.
# Idempotent: when everything is present it prints one line and does nothing else.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libsystemc-dev            # SystemC 2.3.4, built for C++17
  libboost-graph-dev        # operator graphs
  libyaml-cpp-dev           # configs
  libcli11-dev              # command line
  libfmt-dev                # formatting
  nlohmann-json3-dev        # JSON output and the artifact's model format
  libgtest-dev libgmock-dev googletest
  libbenchmark-dev          # bench/
  gtkwave                   # vcd2fst, used by the VCD test; GTKWave loads the save files in cli.gtkwave
  xvfb                      # xvfb-run: a virtual X display for GTKWave in cli.gtkwave
  gnuplot-nox               # PNG charts of h2sim experiment
  python3                   # JSON checks in tests/cli
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
