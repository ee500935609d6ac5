#!/usr/bin/env bash
# Benchmark: how much time and memory the program spends beyond its mandated pacing.
# Builds Release, serves the fake HubSpot on a free loopback port, then runs the program
# N times per mode (after one warm-up each), the modes taking turns so that whatever else the
# machine does falls on all of them alike, and prints per mode the median and min-max of wall
# time, overhead (wall - 200 ms x requests) and peak RSS.
#
#   bench/run.sh [N]        N runs per mode, default 10
#
# Modes: jit (the Release build run by `dotnet`, what `dotnet run` executes), native (Native AOT,
# when clang is installed), jit re-run (the portal already has the records), and warm
# `dotnet run` (nothing changed since the last build; wall time only).
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/artifacts/bench"
work=$(mktemp -d)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
pace_ms=200

for tool in /usr/bin/time curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install time curl)" >&2; exit 2; }
done

echo "Building (Release)..."
dotnet build "$root/HubSpotChallenge.csproj" -c Release -o "$out/jit" -v quiet -nologo >/dev/null
dotnet build "$root/tests/FakeHubSpot/FakeHubSpot.csproj" -c Release -o "$out/fake" -v quiet -nologo >/dev/null
native=""
if command -v clang >/dev/null; then
  echo "Publishing the native build (Native AOT)..."
  dotnet publish "$root/HubSpotChallenge.csproj" -c Release -r linux-x64 -p:PublishAot=true -o "$out/native" -v quiet -nologo >/dev/null
  native="$out/native/HubSpotChallenge"
else
  echo "clang not found: skipping the native build (apt-get install clang zlib1g-dev)."
fi

# The fake picks a free port and prints its address first.
dotnet "$out/fake/FakeHubSpot.dll" --port 0 --quiet >"$work/fake.log" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/fake.log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "bench: the fake did not start:" >&2; cat "$work/fake.log" >&2; exit 1; }

# A realistic working directory: the program reads its settings from .env.
cat >"$work/.env" <<ENV
HUBSPOT_KEY=pat-na1-00000000-0000-0000-0000-000000000000
FIRSTNAME=Zoë
LASTNAME="O'Brien"
HUBSPOT_BASE_URL=$url
ENV
cd "$work"

# One run: prints "wall_ms overhead_ms rss_kb requests". Pass "keep" to keep the fake's records.
run_once() {
  local keep=$1; shift
  [ "$keep" = keep ] || curl -fsS -X POST "$url/_fake/reset"
  local before after start end rss requests
  before=$(curl -fsS "$url/_fake/stats" | grep -oE '"requests":[0-9]+' | cut -d: -f2)
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/stdout" 2>"$work/stderr" \
    || { echo "bench: the program failed:" >&2; cat "$work/stdout" "$work/stderr" >&2; exit 1; }
  end=$(date +%s%N)
  after=$(curl -fsS "$url/_fake/stats" | grep -oE '"requests":[0-9]+' | cut -d: -f2)
  rss=$(tail -1 "$work/rss")
  requests=$((after - before))
  local wall=$(((end - start) / 1000000))
  echo "$wall $((wall - pace_ms * requests)) $rss $requests"
}

# Median and min-max of one column of the samples file.
summarize() {
  local column=$1 scale=$2
  awk -v c="$column" '{print $c}' "$work/samples" | sort -n | awk -v s="$scale" '
    { v[NR] = $1 / s }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%7.1f (%.1f-%.1f)", m, v[1], v[NR] }'
}

# One run of a mode: "jit" and "native" against a fresh portal, "jit re-run" against the records the run before left.
run_mode() {
  case $1 in
    jit) run_once fresh dotnet "$out/jit/HubSpotChallenge.dll" ;;
    native) run_once fresh "$native" ;;
    "jit re-run") run_once fresh dotnet "$out/jit/HubSpotChallenge.dll" >/dev/null; run_once keep dotnet "$out/jit/HubSpotChallenge.dll" ;;
  esac
}

print_mode() {
  cp "$work/samples.$2" "$work/samples"
  printf '%-18s %-24s %-24s %-22s %s\n' "$1" "$(summarize 1 1)" "$(summarize 2 1)" "$(summarize 3 1024)" \
    "$(awk '{print $4}' "$work/samples" | sort -u | paste -sd/ -)"
}

modes=(jit "jit re-run")
[ -z "$native" ] || modes=(jit native "jit re-run")
sync
for i in "${!modes[@]}"; do : >"$work/samples.$i"; run_mode "${modes[$i]}" >/dev/null; done
for _ in $(seq "$runs"); do
  for i in "${!modes[@]}"; do run_mode "${modes[$i]}" >>"$work/samples.$i"; done
done

echo
echo "$runs runs per mode after one warm-up, modes in turn; $(nproc) cores; $(dotnet --version) SDK; fake at $url"
printf '%-18s %-24s %-24s %-22s %s\n' mode "wall ms" "overhead ms" "peak RSS MB" requests
for i in "${!modes[@]}"; do print_mode "${modes[$i]}" "$i"; done

# Warm `dotnet run`: build once, then time runs with nothing changed (wall only).
dotnet build "$root/HubSpotChallenge.csproj" -v quiet -nologo >/dev/null
: >"$work/samples"
for _ in $(seq "$(( runs < 5 ? runs : 5 ))"); do
  run_once fresh dotnet run --project "$root/HubSpotChallenge.csproj" >>"$work/samples"
done
printf '%-18s %-24s %-24s %-22s %s\n' "dotnet run (warm)" "$(summarize 1 1)" "$(summarize 2 1)" "$(summarize 3 1024)" \
  "$(awk '{print $4}' "$work/samples" | sort -u | paste -sd/ -)"
echo
echo "overhead = wall - ${pace_ms} ms x requests; peak RSS of the measured process (for dotnet run, the CLI's)."
