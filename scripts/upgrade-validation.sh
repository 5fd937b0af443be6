#!/usr/bin/env bash
# Repeats `epbench upgrade-check` and counts verdicts, to validate the check on this machine:
#   scripts/upgrade-validation.sh OUT_DIR REPS [upgrade-check arguments...]
# e.g. 20 A/A repetitions over a representative subset:
#   scripts/upgrade-validation.sh runs/aa 20 --from onnxruntime==1.31.1 --to onnxruntime==1.31.1 \
#     --filter 'add_64k|ep_vs_cpu/tiny|vision/mobilenet_v2_fp32|probe_erf_k4'
# Each repetition's JSON goes to OUT_DIR/<n>.json; the summary lists, per repetition, the
# verdicts and the 95% CI half-widths, then how many repetitions had "no change" everywhere.
set -euo pipefail
out=$1 reps=$2
shift 2
epbench=${EPBENCH:-${CARGO_TARGET_DIR:-target}/release/epbench}
mkdir -p "$out"
for n in $(seq 1 "$reps"); do
  echo "$(date -u +%H:%M:%S) repetition $n/$reps, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  "$epbench" upgrade-check "$@" --json > "$out/$n.json" || true
done
python3 - "$out" "$reps" <<'PY'
import json, math, sys
out, reps = sys.argv[1], int(sys.argv[2])
clean, halves, flagged = 0, [], {}
for n in range(1, reps + 1):
    report = json.load(open(f"{out}/{n}.json"))
    verdicts = []
    for row in report["rows"]:
        if row["status"] != "measured":
            verdicts.append(f'{row["id"]}: failed')
            continue
        halves.append(math.expm1(row["log_half_width"]))
        verdicts.append(f'{row["id"].split("/")[-2]} {row["verdict"]} {100*row["change"]["point"]:+.1f}% '
                        f'[{100*row["change"]["lower"]:+.1f}, {100*row["change"]["upper"]:+.1f}]')
        if row["verdict"] in ("slower", "faster"):
            flagged[row["id"]] = flagged.get(row["id"], 0) + 1
    if all(r["status"] == "measured" and r["verdict"] in ("equivalent", "inconclusive") for r in report["rows"]):
        clean += 1
    print(f"{n:2d} ({report['wall_s']:.0f} s): " + "; ".join(verdicts))
halves.sort()
pick = lambda p: halves[min(len(halves) - 1, round(p * (len(halves) - 1)))]
print(f"no change on every benchmark: {clean}/{reps}")
print("flagged (regressed or improved) per benchmark: " + (", ".join(f"{k}: {v}/{reps}" for k, v in flagged.items()) or "none"))
print(f"95% CI half-width: median {100*pick(0.5):.1f}%, 90th percentile {100*pick(0.9):.1f}%, max {100*halves[-1]:.1f}%")
PY
