#!/usr/bin/env bash
# Benchmark: the program's start-up against bench/floor, the minimal program of the card's shape.
# Builds both (Release; Native AOT too when clang is installed), serves the fake HubSpot on a free loopback port, and runs
# each N times against a fresh fake portal (a fake started anew for each run), the two programs taking turns so that whatever else the machine does falls on
# both alike. Prints per mode the median (min-max) of wall time, overhead (wall - 200 ms x requests) and peak RSS, the
# app's overhead as a ratio to the floor's, and the distinct methods each JIT-compiles in one fresh run.
#
#   bench/run.sh [N] [APP.csproj]    N runs per mode (default 10); another build of the app to measure (default the app)
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
app_project=$(realpath "${2:-$root/HubSpotChallenge.csproj}")
out="$root/artifacts/bench"
work=$(mktemp -d)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
pace_ms=200
token=pat-na1-11111111-2222-3333-4444-555555555555

for tool in /usr/bin/time curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install time curl)" >&2; exit 2; }
done

echo "Building (Release)..."
rm -rf "$out"
build() { dotnet build "$1" -c Release -o "$2" -v quiet -nologo >/dev/null; }
build "$app_project" "$out/app"
build "$root/bench/floor/floor.csproj" "$out/floor"
build "$root/tests/FakeHubSpot/FakeHubSpot.csproj" "$out/fake"
app=$(basename "$app_project" .csproj)
modes=(app floor)
if command -v clang >/dev/null; then
  echo "Publishing the native builds (Native AOT)..."
  publish() { dotnet publish "$1" -c Release -r linux-x64 -p:PublishAot=true -o "$2" -v quiet -nologo >/dev/null; }
  publish "$app_project" "$out/app-native"
  publish "$root/bench/floor/floor.csproj" "$out/floor-native"
  modes+=(app-native floor-native)
else
  echo "clang not found: no native builds (apt-get install clang zlib1g-dev)."
fi
# A re-run needs the app's own handling of existing records (another program in its place may not have it).
[ "$app" != HubSpotChallenge ] || modes+=(app-rerun)

# A fresh fake portal: the fake keeps its records only while it runs, so each run gets a new one, on the port the first
# picked. It prints one line per request it answered.
fake_pid=
start_fake() {
  if [ -n "$fake_pid" ]; then
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  # A log of its own: its request lines are the run's count.
  fake_log=$(mktemp -p "$work" fake.XXXXXX)
  dotnet "$out/fake/FakeHubSpot.dll" --port "${port:-0}" >"$fake_log" 2>&1 &
  fake_pid=$!
  for _ in $(seq 100); do
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$fake_log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "bench: the fake did not start:" >&2; cat "$fake_log" >&2; exit 1; }
  port=${url##*:}
  # Warmed up on records of its own (nothing the runs look for), so that a run does not pay for the fake's start-up.
  local api="$url/crm/objects/2026-09" contact company
  post() { curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
  id_of() { grep -oE '"id":"[0-9]+"' | head -1 | grep -oE '[0-9]+'; }
  local i
  # Three times over: once is not enough for its code to be compiled as a long-lived fake's is.
  for i in 1 2 3; do
    contact=$(post -d "{\"properties\":{\"email\":\"warm.up$i@example.com\",\"firstname\":\"Warm\",\"lastname\":\"Up\"},\"associations\":[]}" \
      "$api/contacts" | id_of)
    company=$(post -d "{\"properties\":{\"name\":\"Warm-up\",\"domain\":\"warm-up.example\"},\"associations\":[{\"to\":{\"id\":\"$contact\"},
      \"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":280}]}]}" "$api/companies" | id_of)
    post -o /dev/null -d '{"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"warm-up.example"}]}],
      "properties":["domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":1}' "$api/companies/search"
    post -o /dev/null -d "{\"inputs\":[{\"id\":\"$company\"}],\"properties\":[\"domain\"],\"propertiesWithHistory\":[]}" \
      "$api/companies/batch/read"
    post -o /dev/null -X PUT "$api/contacts/$contact/associations/default/companies/$company"
    post -o /dev/null "$api/contacts/$contact?associations=companies"
  done
}
requests_seen() { sleep 0.2; grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} ' "$fake_log" || true; }
trap '[ -z "$fake_pid" ] || kill $fake_pid 2>/dev/null || true; rm -rf "$work"' EXIT
start_fake

# A realistic working directory: both programs read their settings from .env.
mkdir "$work/run"
cat >"$work/run/.env" <<ENV
HUBSPOT_KEY=$token
FIRSTNAME=Zoë
LASTNAME="O'Brien"
HUBSPOT_BASE_URL=$url
ENV
cd "$work/run"

command_of() {
  case $1 in
    app | app-rerun) echo "dotnet $out/app/$app.dll" ;;
    floor) echo "dotnet $out/floor/floor.dll" ;;
    app-native) echo "$out/app-native/$app" ;;
    floor-native) echo "$out/floor-native/floor" ;;
  esac
}

# One run: prints "wall_ms overhead_ms rss_kb requests". A re-run first runs once to leave the records behind.
run_once() {
  start_fake
  [ "$1" != app-rerun ] || $(command_of app) >/dev/null
  local before after start end
  before=$(requests_seen)
  start=$(date +%s%N)
  # shellcheck disable=SC2046
  /usr/bin/time -f '%M' -o "$work/rss" $(command_of "$1") >"$work/stdout" 2>"$work/stderr" \
    || { echo "bench: $1 failed:" >&2; cat "$work/stdout" "$work/stderr" >&2; exit 1; }
  end=$(date +%s%N)
  after=$(requests_seen)
  local wall=$(((end - start) / 1000000)) requests=$((after - before))
  echo "$wall $((wall - pace_ms * requests)) $(tail -1 "$work/rss") $requests"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Median and min-max of one column of a mode's samples.
summarize() {
  awk -v c="$2" -v s="$3" '{ printf "%.1f\n", $c / s }' "$work/samples.$1" | sort -n | awk '
    { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%7.1f (%.1f-%.1f)", m, v[1], v[NR] }'
}

for mode in "${modes[@]}"; do : >"$work/samples.$mode"; run_once "$mode" >/dev/null; done
for _ in $(seq "$runs"); do
  for mode in "${modes[@]}"; do run_once "$mode" >>"$work/samples.$mode"; done
done

# Distinct methods JIT-compiled in one fresh run, with .env (as above) and with the environment only (no .env to parse).
# Called in $(...), a subshell: the fresh fake is started before, in this shell.
jit_methods() {
  rm -f "$work/jit.txt"
  DOTNET_JitStdOutFile="$work/jit.txt" DOTNET_JitDisasmSummary=1 "$@" >/dev/null
  grep 'JIT compiled' "$work/jit.txt" | sed -E 's/^ *[0-9]+: JIT compiled //; s/ \[(Tier|Instrumented|FullOpts|MinOpts)[^]]*\]$//' | sort -u | wc -l
}
env_only() {
  (mkdir -p "$work/bare" && cd "$work/bare" && HUBSPOT_KEY=$token FIRSTNAME=Zoë LASTNAME="O'Brien" \
    HUBSPOT_BASE_URL=$url jit_methods "$@")
}

echo
echo "$runs runs per mode after one warm-up, modes in turn; $(nproc) cores; $(dotnet --version) SDK; fake at $url"
printf '%-14s %-22s %-22s %-20s %s\n' mode "wall ms" "overhead ms" "peak RSS MB" requests
for mode in "${modes[@]}"; do
  printf '%-14s %-22s %-22s %-20s %s\n' "$mode" "$(summarize "$mode" 1 1)" "$(summarize "$mode" 2 1)" "$(summarize "$mode" 3 1024)" \
    "$(awk '{ print $4 }' "$work/samples.$mode" | sort -u | paste -sd/ -)"
done
echo
ratio() { awk -v a="$(awk '{ print $2 }' "$work/samples.$1" | median)" -v f="$(awk '{ print $2 }' "$work/samples.$2" | median)" 'BEGIN { printf "%.2f", a / f }'; }
echo "overhead ratio app/floor: JIT $(ratio app floor)$([ ! -s "$work/samples.app-native" ] || echo ", native $(ratio app-native floor-native)")"
start_fake; jit_app=$(jit_methods dotnet "$out/app/$app.dll")
start_fake; jit_floor=$(jit_methods dotnet "$out/floor/floor.dll")
start_fake; env_app=$(env_only dotnet "$out/app/$app.dll")
start_fake; env_floor=$(env_only dotnet "$out/floor/floor.dll")
echo "JIT-compiled methods, with .env: app $jit_app, floor $jit_floor; environment only: app $env_app, floor $env_floor"
echo "overhead = wall - ${pace_ms} ms x requests; app-rerun runs against the records its previous run left."
