#!/usr/bin/env bash
# The full benchmark run: every BenchmarkDotNet suite (results -> perf-results/results/), the waiting-path
# wake-lateness probe and the clock probe (-> perf-results/*.md, *.csv), then the ratio tables and charts
# (-> perf-results/README.md, perf-results/charts/). About 15 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build bench/FastBucket.Benchmarks -c Release -m:1
run() { dotnet run -c Release --no-build --project bench/FastBucket.Benchmarks -- "$@"; }
run --filter '*'
run --lateness
run --clocks
python3 bench/perf_report.py
