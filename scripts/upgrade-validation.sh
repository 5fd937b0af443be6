#!/usr/bin/env bash
# Validates `epbench upgrade-check` on this machine: repeated A/A checks (the same runtime on both
# sides: every flag is a false alarm) and A/B checks with a known change on the `to` side (a
# synthetic slowdown of K%, and one intra-op thread instead of all), on a quiet machine and under
# a background load that the script starts and stops itself. Prints, per load and configuration,
# how often each benchmark was flagged, how long the decisions took and the resolution, by the
# deciding clock and by the other one.
#
#   scripts/upgrade-validation.sh OUT_DIR REPS      run everything, then summarise
#   scripts/upgrade-validation.sh --summarize OUT_DIR   summarise the JSON already in OUT_DIR
#
# Settings (environment):
#   FILTER     benchmarks to check       (default 'ep_vs_cpu/(bert-base|tiny)')
#   THRESHOLD  --threshold, in percent   (default 1: below the injected changes, see below)
#   BUDGET     --budget                  (default 3m, the check's default)
#   KS         injected slowdowns, in %  (default '3 5'); KS_QUIET, KS_LOADED for one load only
#   LOADS      'quiet', 'loaded' or both (default 'quiet loaded')
#   BURNERS    CPU burners for 'loaded'  (default 1: half of a 2-core machine)
#   THREADS1   0 to leave out the one-thread A/B configuration (default 1)
#   AA         0 to leave out the A/A configuration, to add A/B repetitions only (default 1)
#   MEASURE    --measure wall|cpu        (default: the check's own, cpu where the OS has it)
#   REQ        the runtime on both sides (default onnxruntime==1.31.1)
#   EPBENCH    the binary                (default target/release/epbench)
#
# Why a threshold of 1%: a change is flagged only when its interval's lower bound clears the
# threshold, so a true +5% change can clear a 5% threshold only by luck (half the time at best).
# Power at K% needs a threshold well below K.
set -euo pipefail

summarize() {
  python3 - "$1" <<'PY'
import glob, json, math, os, statistics, sys

out = sys.argv[1]
def pct(x):
    return "-" if x is None else f"{100 * x:.1f}%"
def spct(x):
    return "-" if x is None else f"{100 * x:+.1f}%"
def med(xs):
    return statistics.median(xs) if xs else None

print(f"{'load':7} {'config':13} {'benchmark':46} {'flagged':>8} {'improved':>8} {'no chg':>6} "
      f"{'inconcl':>7} {'decided in (median)':>19} {'resolution':>10} {'change':>7} "
      f"{'other clock flagged':>19} {'change':>7}")
for load_dir in sorted(glob.glob(f"{out}/*/")):
    load = os.path.basename(load_dir.rstrip("/"))
    for config_dir in sorted(glob.glob(f"{load_dir}*/")):
        config = os.path.basename(config_dir.rstrip("/"))
        reports = []
        for path in sorted(glob.glob(f"{config_dir}*.json")):
            try:
                reports.append(json.load(open(path)))
            except (OSError, ValueError):
                print(f"  {path}: not a report (the check failed to run?)")
        if not reports:
            continue
        reps = len(reports)
        ids = []
        for report in reports:
            for row in report["rows"]:
                if row["id"] not in ids:
                    ids.append(row["id"])
        alarms = 0
        for report in reports:
            if any(r.get("verdict") in ("slower", "faster") for r in report["rows"]):
                alarms += 1
        for bench in ids:
            rows = [r for rep in reports for r in rep["rows"] if r["id"] == bench]
            measured = [r for r in rows if r["status"] == "measured"]
            count = lambda v: sum(r["verdict"] == v for r in measured)
            decided = [r["decided"]["measuring_s"] for r in measured if r["decided"]]
            res = [max(r["resolution"]["slower"], 1 / (1 + r["resolution"]["faster"]) - 1)
                   for r in measured if r["resolution"]]
            other = sum((r.get("other_measure") or {}).get("verdict") == "slower" for r in measured)
            # The realised change, by each clock: under load an injected spin costs more than
            # its share of a run, so the flag counts are read beside it.
            change = med([r["change"]["point"] for r in measured])
            other_change = med([r["other_measure"]["change"]["point"] for r in measured
                                if r.get("other_measure")])
            name = "/".join(bench.split("/")[-2:])[:46]
            decided_text = (f"{med(decided):.0f} s ({len(decided)}/{reps})" if decided
                            else f"none of {reps}")
            print(f"{load:7} {config:13} {name:46} {count('slower'):>4}/{reps:<3} "
                  f"{count('faster'):>4}/{reps:<3} {count('equivalent'):>6} "
                  f"{count('inconclusive'):>7} {decided_text:>19} {pct(med(res)):>10} "
                  f"{spct(change):>7} {other:>15}/{reps:<3} {spct(other_change):>7}")
        walls = [r["wall_s"] for r in reports]
        loadavg = []
        for path in glob.glob(f"{config_dir}*.load"):
            try:
                loadavg.append(float(open(path).read().split()[0]))
            except (OSError, ValueError, IndexError):
                pass
        what = "false alarms" if config == "aa" else "checks with a flag"
        print(f"{load:7} {config:13} {what}: {alarms}/{reps}; median wall {med(walls):.0f} s; "
              f"load average at start {f'{med(loadavg):.1f}' if loadavg else '?'}; "
              f"measure {reports[0]['method']['measure']}, threshold "
              f"{100 * reports[0]['method']['threshold']:.1f}%")
PY
}

if [[ ${1:-} == --summarize ]]; then
  summarize "$2"
  exit 0
fi

out=${1:?usage: $0 OUT_DIR REPS | --summarize OUT_DIR}
reps=${2:?usage: $0 OUT_DIR REPS | --summarize OUT_DIR}
filter=${FILTER:-'ep_vs_cpu/(bert-base|tiny)'}
threshold=${THRESHOLD:-1}
budget=${BUDGET:-3m}
ks=${KS:-3 5}
loads=${LOADS:-quiet loaded}
burners=${BURNERS:-1}
measure_args=()
if [[ -n ${MEASURE:-} ]]; then
  measure_args=(--measure "$MEASURE")
fi
req=${REQ:-onnxruntime==1.31.1}
epbench=${EPBENCH:-${CARGO_TARGET_DIR:-target}/release/epbench}

burner_pids=()
stop_burners() {
  for pid in "${burner_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${burner_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  burner_pids=()
}
# A trapped signal does not end a bash script by itself: stop the burners, then exit.
trap stop_burners EXIT
trap 'stop_burners; exit 130' INT TERM

# The configurations of a load: A/A, a slowdown per K, and one intra-op thread.
configs_for() {
  configs=()
  if [[ ${AA:-1} != 0 ]]; then
    configs+=("aa:")
  fi
  local ks_here=$ks
  [[ $1 == quiet ]] && ks_here=${KS_QUIET:-$ks}
  [[ $1 == loaded ]] && ks_here=${KS_LOADED:-$ks}
  for k in $ks_here; do
    configs+=("slowdown$k:slowdown=$k%")
  done
  if [[ ${THREADS1:-1} != 0 ]]; then
    configs+=("threads1:threads=1")
  fi
}

for load in $loads; do
  configs_for "$load"
  if [[ $load == loaded ]]; then
    # Bounded twice: killed when this phase ends, and by timeout after as long as the phase can
    # take, should the script itself be killed without running its trap.
    limit=$(( (${#configs[@]} * reps + 1) * 600 ))
    for _ in $(seq 1 "$burners"); do
      timeout "$limit" sh -c 'while :; do :; done' &
      burner_pids+=("$!")
    done
    echo "started ${burners} CPU burner(s): ${burner_pids[*]}" >&2
  elif [[ $load == quiet ]]; then
    echo "quiet phase: load $(cut -d' ' -f1-3 /proc/loadavg) (should be well below 1)" >&2
  fi
  # Repetition by repetition, every configuration in each, so that the machine's changes over
  # the hours hit every configuration alike and an interrupted run still has all of them.
  for n in $(seq 1 "$reps"); do
    for config in "${configs[@]}"; do
      name=${config%%:*} options=${config#*:}
      mkdir -p "$out/$load/$name"
      echo "$(date -u +%H:%M:%S) $load $name $n/$reps, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
      cut -d' ' -f1-3 /proc/loadavg > "$out/$load/$name/$n.load"
      "$epbench" upgrade-check --from "$req" --to "$req" --to-options "$options" \
        --filter "$filter" --threshold "$threshold" --budget "$budget" "${measure_args[@]}" \
        --json > "$out/$load/$name/$n.json" || true
    done
  done
  stop_burners
done
summarize "$out"
