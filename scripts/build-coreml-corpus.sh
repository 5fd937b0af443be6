#!/usr/bin/env bash
# Builds the held-out corpus `epbench analyze --check` measures the CoreML rules on:
#   scripts/build-coreml-corpus.sh [OUT_DIR]      (default models/corpus, git-ignored)
# Nothing in it is written by this project: the ONNX backend node tests regenerated with the
# onnx package's own test-case generators, the onnx wheel's light CNNs, pytorch-converted,
# pytorch-operator and simple models, and single-op models generated to walk the conditions of
# the CoreML op builders (scripts/coreml_corpus.py). Packages come from PyPI, pinned, into a
# virtualenv under OUT_DIR/.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-models/corpus}
python=${EPBENCH_PYTHON:-python3}
mkdir -p "$out"
if [ ! -x "$out/.venv/bin/python" ]; then
  "$python" -m venv "$out/.venv"
fi
"$out/.venv/bin/pip" install --quiet --disable-pip-version-check \
  onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2 ml_dtypes==0.6.0
"$out/.venv/bin/python" scripts/coreml_corpus.py "$out"
