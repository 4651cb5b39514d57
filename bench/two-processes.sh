#!/usr/bin/env bash
# Two `fastbucket run` processes on one API key, without Redis, given no limits (the catalog's, then the headers'),
# against `fastbucket serve --accounting openai` (one-second quanta, refused requests charged); then a third run
# started right after, on the account they drained. Writes perf-results/two-processes.md and .csv.
# Usage: bench/two-processes.sh [ROUNDS] (default 3). About 3 minutes a round on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rounds=${1:-3}
limits="rpm=300,tpm=60000"
requests=150
dotnet build src/FastBucket.Cli -c Release -m:1 >/dev/null
cli=(dotnet "$PWD/src/FastBucket.Cli/bin/Release/net10.0/FastBucket.Cli.dll")
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
csv=perf-results/two-processes.csv
echo "round,process,requests,succeeded,failed,rate_limited_429,wall_seconds" >"$csv"

# The same kind of lines for every process: prompts of 100-200 words, max_tokens 60-180 (about 200-260 tokens
# charged each at OpenAI's rule), so requests and tokens per minute bind about equally.
for name in a b c; do
  python3 - "$work/$name.jsonl" "$name" "$requests" <<'PY'
import json, random, sys
path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(name)
words = "the quick brown fox jumps over the lazy dog while every token count rate limits".split()
with open(path, "w") as f:
    for i in range(count):
        body = {"model": "gpt-4o-mini", "max_tokens": rng.randint(60, 180),
                "messages": [{"role": "user", "content": " ".join(rng.choice(words) for _ in range(rng.randint(100, 200)))}]}
        f.write(json.dumps({"custom_id": f"{name}-{i}", "method": "POST", "url": "/v1/chat/completions", "body": body}) + "\n")
PY
done

field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
export OPENAI_API_KEY=sk-two-processes-simulated
for round in $(seq 1 "$rounds"); do
  port=$((18480 + round))
  "${cli[@]}" serve --accounting openai --limits "$limits" --port "$port" --seed "$round" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do grep -q listening "$work/serve.log" 2>/dev/null && break; sleep 0.2; done
  run() { rm -f "$work/$1.out.jsonl"; "${cli[@]}" run "$work/$1.jsonl" -o "$work/$1.out.jsonl" --base-url "http://127.0.0.1:$port/v1" --no-live --json >"$work/$1.json" 2>"$work/$1.err"; }
  run a & pa=$!
  run b & pb=$!
  wait "$pa" "$pb"
  run c
  kill "$server"; wait "$server" 2>/dev/null || true
  for name in a b c; do
    echo "$round,$name,$requests,$(field "$work/$name.json" succeeded),$(field "$work/$name.json" failed),$(field "$work/$name.json" rate_limited_429),$(field "$work/$name.json" wall_seconds)" >>"$csv"
  done
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$csv" "$started" "$load_before" "$load_after" "$limits" "$requests" >perf-results/two-processes.md <<'PY'
import csv, platform, subprocess, sys, os
path, started, before, after, limits, requests = sys.argv[1:7]
rows = list(csv.DictReader(open(path)))
runtime = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
osname = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME=")), platform.system())
print("# Two processes on one key, no Redis\n")
print(f"Written by `bench/two-processes.sh` (do not edit by hand; run it again). Started {started}.")
print(f"Machine: {os.cpu_count()} logical CPUs, {osname}, .NET SDK {runtime}; load average (1, 5, 15 min) {before} before, {after} after.\n")
print(f"Each round: `fastbucket serve --accounting openai --limits {limits}` (OpenAI's documented accounting: one-second quanta, "
      "the larger of prompt and max_tokens kept, refused requests charged to the request limits); two `fastbucket run` processes "
      f"of {requests} requests each started together on the same key, neither told of the other nor given limits (each starts from the catalog's tier-1 limits for gpt-4o-mini, 500 RPM and 200,000 TPM, above this account's, and learns the account's from the headers); then a third run "
      "of the same size started on the account they left. Goal (issue 14): at most 20 429s between the two, at most 10 for the restart.\n")
print("| Round | 429s, two together | Failed | Wall s (slower of two) | 429s, restart | Restart wall s |")
print("|---:|---:|---:|---:|---:|---:|")
for r in sorted({row["round"] for row in rows}, key=int):
    by = {row["process"]: row for row in rows if row["round"] == r}
    pair = int(by["a"]["rate_limited_429"]) + int(by["b"]["rate_limited_429"])
    failed = sum(int(by[p]["failed"]) for p in "abc")
    wall = max(float(by["a"]["wall_seconds"]), float(by["b"]["wall_seconds"]))
    print(f"| {r} | {pair} | {failed} | {wall:.1f} | {by['c']['rate_limited_429']} | {float(by['c']['wall_seconds']):.1f} |")
print(f"\nThe limits admit {limits.split(',')[0].split('=')[1]} requests a minute: the two runs' 300 requests need at least 60 s.")
PY
cat perf-results/two-processes.md
