#!/usr/bin/env bash
# Validates `epbench baseline check` on this machine: how often two runs of identical code pass
# (A/A), whether a real slowdown is caught (A/B), and the smallest slowdown caught reliably.
#
#   scripts/validate-baseline-gate.sh [WORKDIR]
#
# Settings (environment):
#   FILTER      benchmarks to run, as for `cargo bench -- FILTER`          [cpu/]
#   REFERENCE   runs saved as the reference baseline (they teach the floor) [6]
#   NEW         runs per checked side                                      [2]
#   AA          A/A checks, each NEW runs of the same build and settings   [20]
#   AB          A/B checks, each NEW runs with EPBENCH_THREADS=1           [3]
#   INJECT      slowdowns (percent) injected into every A/A run's samples  [2 5 10 15 20 30]
#   THRESHOLD   the check's threshold in percent                           [epbench's default]
#
# Every run is an ordinary `cargo bench` into its own CRITERION_HOME under WORKDIR; the reference
# is saved into a scratch baseline store there, never into criterion-baselines/. The A/B runs use
# one intra-op thread where the reference used the machine's cores: a genuine slowdown of every
# benchmark whose session takes its threads from EPBENCH_THREADS (the `cpu/threads/*` benchmarks
# pin their own thread counts and must stay unchanged).
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:-target/gate-validation}
filter=${FILTER:-cpu/}
reference=${REFERENCE:-6}
new=${NEW:-2}
aa=${AA:-20}
ab=${AB:-3}
inject=${INJECT:-2 5 10 15 20 30}
threshold_args=()
[[ -n "${THRESHOLD:-}" ]] && threshold_args=(--threshold "$THRESHOLD")

mkdir -p "$work"
work=$(cd "$work" && pwd)
store="$work/store"
export EPBENCH_BASELINES="$store"

cargo build --release --quiet
cargo bench --bench study --no-run --quiet 2>/dev/null
epbench=target/release/epbench

bench() { # bench DIR [ENV=VALUE...]: one `cargo bench` run into DIR
    local dir=$1
    shift
    env "$@" CRITERION_HOME="$dir" cargo bench --quiet --bench study -- "$filter" \
        >"$dir.log" 2>&1
}

side() { # side DIR [ENV=VALUE...]: NEW runs into DIR/1, DIR/2, ...; prints their --from flags
    local dir=$1
    shift
    mkdir -p "$dir"
    for r in $(seq 1 "$new"); do
        bench "$dir/$r" "$@"
        printf -- '--from %s ' "$dir/$r"
    done
}

check() { # check LABEL DIR FROM...: one check against the reference, its verdicts kept as JSON
    local label=$1 dir=$2 code=0
    shift 2
    "$epbench" baseline check reference "$@" "${threshold_args[@]}" --json \
        >"$dir.check.json" || code=$?
    [[ $code -le 1 ]] || { echo "check of $dir failed to run (exit $code)" >&2; exit 2; }
    python3 - "$label" "$dir.check.json" "$code" <<'EOF'
import json, sys
label, path, code = sys.argv[1], sys.argv[2], sys.argv[3]
report = json.load(open(path))
slower = [r["id"] for r in report["rows"] if r["verdict"] == "slower"]
changes = " ".join(f'{r["change"]["point"]*100:+.1f}%' for r in report["rows"])
print(f"{label}: exit {code}, {len(slower)}/{len(report['rows'])} slower; changes {changes}")
for r in slower:
    print(f"    slower: {r}")
EOF
}

rm -rf "$store" "$work"/ref-* "$work"/aa-* "$work"/ab-* "$work"/inject-*
echo "== reference: $reference runs of \`cargo bench -- $filter\` ($(uptime))"
for i in $(seq 1 "$reference"); do
    bench "$work/ref-$i"
    mode=()
    [[ $i -gt 1 ]] && mode=(--append)
    "$epbench" baseline save reference --from "$work/ref-$i" "${mode[@]}" >/dev/null
done

echo "== A/A: $aa checks of $new runs each, same build and settings"
for i in $(seq -w 1 "$aa"); do
    # shellcheck disable=SC2046 # the --from flags are meant to split
    check "A/A $i (load $(cut -d' ' -f1 /proc/loadavg))" "$work/aa-$i" $(side "$work/aa-$i")
done

echo "== A/B: $ab checks of $new runs each with EPBENCH_THREADS=1"
for i in $(seq -w 1 "$ab"); do
    # shellcheck disable=SC2046
    check "A/B $i" "$work/ab-$i" $(side "$work/ab-$i" EPBENCH_THREADS=1)
done

echo "== injected slowdowns: every A/A run's samples scaled up"
for pct in $inject; do
    caught=0
    for i in $(seq -w 1 "$aa"); do
        dir="$work/inject-$pct-$i"
        rm -rf "$dir"
        cp -r "$work/aa-$i" "$dir"
        python3 - "$dir" "$pct" <<'EOF'
import json, pathlib, sys
root, pct = pathlib.Path(sys.argv[1]), float(sys.argv[2])
for sample in root.rglob("sample.json"):
    data = json.loads(sample.read_text())
    data["times"] = [t * (1 + pct / 100) for t in data["times"]]
    sample.write_text(json.dumps(data))
EOF
        code=0
        # shellcheck disable=SC2046
        "$epbench" baseline check reference $(printf -- '--from %s ' "$dir"/*/) \
            "${threshold_args[@]}" --json \
            >"$dir.check.json" || code=$?
        [[ $code -eq 1 ]] && caught=$((caught + 1))
        python3 - "$dir.check.json" >>"$work/inject-$pct.flagged" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
print(sum(r["verdict"] == "slower" for r in report["rows"]), len(report["rows"]))
EOF
    done
    per_bench=$(awk '{s+=$1; n+=$2} END {printf "%d/%d", s, n}' "$work/inject-$pct.flagged")
    echo "+$pct%: $caught/$aa checks failed; benchmarks flagged slower: $per_bench"
done
