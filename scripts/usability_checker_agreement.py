"""Compares ORT's own usability checker with the real CoreML EP's partitioning, model by model.

    python usability_checker_agreement.py MEASURED.json [--root DIR] [--top N] [--details FILE]

MEASURED.json is the output of `epbench --ort file:LIB analyze --check DIR --json` run with a
library that has the CoreML EP: for every model and case (format x static input shapes) it holds
the EP's measured (nodes, supported_nodes, partitions). Model paths in it are relative to the
directory epbench ran in: pass that directory as --root (default: the current directory).

For every model the EP measured ("status": "compared"), this runs the checker the way its own
command line does (`onnxruntime.tools.mobile_helpers.usability_checker`): the model optimised at
the BASIC level by the installed onnxruntime's CPU session, ONNX shape inference, then
`check_coreml_partitions` with the checker's NeuralNetwork or ML Program op list. The EP's
`require_static_input_shapes` maps to the checker's `require_fixed_input_sizes`.

Printed per case, with the same definition of "exact" as `epbench analyze --check`:
  exact           the checker's (nodes, supported nodes, partitions) == the EP's
  supported+parts the checker's (supported nodes, partitions) == the EP's, node count aside
  supported       the checker's supported-node count == the EP's
  count error     sum over models of |checker supported - EP supported| / sum of EP nodes: at
                  least that share of nodes is assigned differently (the JSON has no node names,
                  so node-for-node agreement is bounded, not measured: at most 1 - count error);
                  also over the models whose node count the checker gets right ("same graphs")
and the largest disagreement groups, keyed by what differs and by the ops involved: the ops the
checker claimed (it claims more), the ops it rejected (it claims fewer), or, where its graph is
not the EP's, the op types the CPU session added (+) or removed (-) before the checker looked.
A model the checker fails on (its ORT session, shape inference or the check itself raising,
or the worker process dying) is counted as a checker failure and the run goes on.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import pathlib
import sys
import tempfile
import time
from concurrent.futures.process import BrokenProcessPool

import onnx
import onnxruntime
from onnxruntime.tools.mobile_helpers.usability_checker import check_coreml_partitions
from onnxruntime.tools.onnx_model_utils import ModelProtoWithShapeInfo, optimize_model

NN_OPS = "coreml_supported_neuralnetwork_ops.md"
MLP_OPS = "coreml_supported_mlprogram_ops.md"
OP_LISTS = {"NeuralNetwork": NN_OPS, "MlProgram": MLP_OPS}


def case_key(case):
    return (case["format"], bool(case["require_static_input_shapes"]))


def case_label(key):
    fmt, static = key
    return f"{fmt}, static shapes {'on' if static else 'off'}"


def op_name(node):
    return f"{node.domain}:{node.op_type}" if node.domain else node.op_type


def run_checker(path, keys):
    """The checker's counts for one model, per case key; raises whatever the checker raises."""
    with tempfile.TemporaryDirectory() as tmp:
        optimized = pathlib.Path(tmp) / os.path.basename(path)
        # As the checker's analyze_model does: external initializers so models > 2 GB save.
        optimize_model(pathlib.Path(path), optimized, use_external_initializers=True)
        model = ModelProtoWithShapeInfo(optimized).model_with_shape_info
        # What the CPU session changed: where the checker's node count is not the EP's, this is
        # the likely reason (Casts it inserts around fp16 ops, functions it inlines).
        original = onnx.load(path, load_external_data=False)
        before = collections.Counter(op_name(n) for n in original.graph.node)
        after = collections.Counter(op_name(n) for n in model.graph.node)
        rewritten = [f"+{op}" for op in sorted(after - before)]
        rewritten += [f"-{op}" for op in sorted(before - after)]
        results = {}
        for fmt, static in keys:
            info = check_coreml_partitions(model, static, OP_LISTS[fmt])
            claimed = sorted({op_name(n) for group in info.supported_groups for n in group})
            results[(fmt, static)] = {
                "nodes": info.num_nodes,
                "supported_nodes": info.num_supported_nodes,
                "partitions": info.num_partitions,
                "claimed_ops": claimed,
                "unsupported_ops": sorted(info.unsupported_ops),
                "dynamic_rejected": info.nodes_unsupported_due_to_dynamic_input,
                "rank_rejected": info.num_unsupported_nodes_due_to_rank,
                "rewritten": rewritten,
                "subgraphs": info.num_subgraphs,
            }
        return results


def check_one(path, keys):
    """run_checker, with an exception turned into a result so one model cannot stop the run."""
    try:
        return path, run_checker(path, keys), None
    except Exception as error:  # the checker's failure on this model is the result
        first = str(error).strip().splitlines()
        return path, None, f"{type(error).__name__}: {first[0] if first else ''}"[:300]


def compared_models(measured, root):
    """(path, {case key: measured counts}) for each model with at least one compared case."""
    out = []
    for check in measured["checks"]:
        cases = {}
        for case, outcome in check["cases"]:
            if outcome.get("status") == "compared" and case["format"] in OP_LISTS:
                cases[case_key(case)] = outcome["measured"]
        if cases:
            out.append((os.path.join(root, check["model"]), cases))
    return out


def run_all(models, jobs):
    """Runs the checker over every model in worker processes; a worker that dies (a crash in
    native code) fails only the model it was on, and a fresh pool takes the rest."""
    results = {}
    pending = list(models)
    while pending:
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(check_one, path, sorted(cases)): path for path, cases in pending}
            broken = False
            for future in concurrent.futures.as_completed(futures):
                path = futures[future]
                try:
                    _, counts, error = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                results[path] = (counts, error)
                done = len(results)
                if done % 250 == 0:
                    print(f"  {done}/{len(models)} models checked", file=sys.stderr)
        pending = [(p, c) for p, c in pending if p not in results]
        if broken and pending:
            # The pool cannot say which task killed it: rerun the unfinished ones one at a time
            # so the crashing model is identified and the others still get their answer.
            for path, cases in pending:
                with concurrent.futures.ProcessPoolExecutor(max_workers=1) as single:
                    try:
                        _, counts, error = single.submit(check_one, path, sorted(cases)).result()
                    except BrokenProcessPool:
                        counts, error = None, "the checker's process died (native crash)"
                results[path] = (counts, error)
            pending = []
    return results


def disagreement_key(ep, mine):
    if mine["nodes"] != ep["nodes"]:
        more = "more" if mine["nodes"] > ep["nodes"] else "fewer"
        why = mine["rewritten"][:4] + (["..."] if len(mine["rewritten"]) > 4 else [])
        if mine["subgraphs"]:
            why.append("(counts subgraph nodes)")
        return f"another graph, the checker sees {more} nodes; the CPU session did", tuple(why)
    if mine["supported_nodes"] > ep["supported_nodes"]:
        return "checker claims more nodes", tuple(mine["claimed_ops"])
    if mine["supported_nodes"] < ep["supported_nodes"]:
        why = list(mine["unsupported_ops"])
        if mine["dynamic_rejected"]:
            why.append("(dynamic input shape)")
        if mine["rank_rejected"]:
            why.append("(rank > 5)")
        return "checker claims fewer nodes", tuple(why)
    return "same supported count, partitions differ", tuple(mine["claimed_ops"])


def summarize(models, results, top, root):
    keys = list(dict.fromkeys(k for _, cases in models for k in cases))
    failures = collections.Counter(err for counts, err in results.values() if err)
    summary = {}
    for key in keys:
        row = collections.Counter()
        groups = collections.defaultdict(list)
        for path, cases in models:
            if key not in cases:
                continue
            ep = cases[key]
            row["models"] += 1
            counts, error = results[path]
            if error:
                row["checker_failed"] += 1
                continue
            mine = counts[key]
            row["compared"] += 1
            row["ep_nodes"] += ep["nodes"]
            same_nodes = mine["nodes"] == ep["nodes"]
            same_supported = mine["supported_nodes"] == ep["supported_nodes"]
            same_parts = mine["partitions"] == ep["partitions"]
            row["exact"] += same_nodes and same_supported and same_parts
            row["supported_and_partitions"] += same_supported and same_parts
            row["supported"] += same_supported
            row["node_count_same"] += same_nodes
            diff = mine["supported_nodes"] - ep["supported_nodes"]
            row["over_claimed"] += max(diff, 0)
            row["under_claimed"] += max(-diff, 0)
            if same_nodes:
                row["same_graph_nodes"] += ep["nodes"]
                row["same_graph_error"] += abs(diff)
            if not (same_nodes and same_supported and same_parts):
                groups[disagreement_key(ep, mine)].append(
                    (path, ep, {k: mine[k] for k in ("nodes", "supported_nodes", "partitions")})
                )
        summary[key] = (row, groups)

    for key in keys:
        row, groups = summary[key]
        n = row["compared"]
        pct = lambda part, whole: f"{100.0 * part / whole:.2f}%" if whole else "n/a"  # noqa: E731
        error = row["over_claimed"] + row["under_claimed"]
        print(f"\n== CoreML {case_label(key)} ==")
        print(f"  models the EP measured      {row['models']}")
        print(f"  checker failed              {row['checker_failed']}")
        print(f"  compared                    {n}")
        print(f"  exact (nodes, supp, parts)  {row['exact']}  ({pct(row['exact'], n)}; "
              f"{pct(row['exact'], row['models'])} of all measured, failures as misses)")
        print(f"  same (supp, parts)          {row['supported_and_partitions']}  "
              f"({pct(row['supported_and_partitions'], n)})")
        print(f"  same supported count        {row['supported']}  ({pct(row['supported'], n)})")
        print(f"  same node count             {row['node_count_same']}  "
              f"({pct(row['node_count_same'], n)})")
        print(f"  EP nodes                    {row['ep_nodes']}")
        print(f"  count error                 {error}  ({pct(error, row['ep_nodes'])}; "
              f"checker +{row['over_claimed']} over, -{row['under_claimed']} under) "
              f"-> at most {pct(row['ep_nodes'] - error, row['ep_nodes'])} of nodes the same")
        print(f"  count error, same graphs    {row['same_graph_error']}  "
              f"({pct(row['same_graph_error'], row['same_graph_nodes'])} of "
              f"{row['same_graph_nodes']} nodes in the models with the EP's node count)")
        ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        if ranked:
            print(f"  largest disagreement groups (of {len(ranked)}):")
        for (why, ops), members in ranked[:top]:
            path, ep, mine = members[0]
            print(f"    {len(members):5d}  {why}: {', '.join(ops) or '-'}")
            print(f"           e.g. {os.path.relpath(path, root)}: EP {ep['supported_nodes']}/"
                  f"{ep['nodes']} in {ep['partitions']}, checker {mine['supported_nodes']}/"
                  f"{mine['nodes']} in {mine['partitions']}")
    if failures:
        print(f"\nchecker failures ({sum(failures.values())} models), by message:")
        for message, count in failures.most_common(top):
            print(f"  {count:5d}  {message}")


def write_details(path, models, results):
    with open(path, "w") as out:
        for model, cases in models:
            counts, error = results[model]
            record = {"model": model, "checker_error": error, "cases": []}
            for key in sorted(cases):
                record["cases"].append({
                    "format": key[0],
                    "require_static_input_shapes": key[1],
                    "measured": cases[key],
                    "checker": counts[key] if counts else None,
                })
            out.write(json.dumps(record) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("measured",
                        help="output of `epbench --ort file:LIB analyze --check DIR --json`")
    parser.add_argument("--root", default=".",
                        help="directory the JSON's model paths are relative to")
    parser.add_argument("--top", type=int, default=12, help="disagreement groups listed per case")
    parser.add_argument("--jobs", type=int, default=1, help="checker processes (default 1)")
    parser.add_argument("--details",
                        help="write one JSON line per model: measured and checker counts")
    args = parser.parse_args()

    try:
        with open(args.measured) as f:
            measured = json.load(f)
        models = compared_models(measured, args.root)
    except (OSError, ValueError, KeyError, TypeError) as error:
        what = f"no {error} field" if isinstance(error, KeyError) else str(error)
        print(f"cannot read {args.measured} as `epbench analyze --check --json` output: {what}",
              file=sys.stderr)
        return 2
    missing = [p for p, _ in models if not os.path.isfile(p)]
    if missing:
        print(f"{len(missing)} of {len(models)} models are not under --root {args.root!r}, "
              f"e.g. {missing[0]}", file=sys.stderr)
        return 2

    print(f"ORT's usability checker, onnxruntime {onnxruntime.__version__} wheel (onnx "
          f"{onnx.__version__}), vs the CoreML EP of ORT {measured.get('ort', '?')} measured in "
          f"{args.measured}: {len(models)} models with a measured case")
    started = time.monotonic()
    results = run_all(models, args.jobs)
    elapsed = time.monotonic() - started
    summarize(models, results, args.top, args.root)
    if args.details:
        write_details(args.details, models, results)
    print(f"\nchecker over {len(models)} models: {elapsed:.1f} s with {args.jobs} process(es)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
