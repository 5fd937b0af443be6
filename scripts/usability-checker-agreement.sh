#!/usr/bin/env bash
# Measures ORT's own CoreML usability checker against the real CoreML EP, on the models that
# `epbench analyze --check` measured:
#   scripts/usability-checker-agreement.sh MEASURED.json [ROOT] [VENV_DIR] [-- ARGS...]
# MEASURED.json is the output of `epbench --ort file:LIB analyze --check DIR --json` with a
# library that has the CoreML EP (e.g. the corpus of scripts/build-coreml-corpus.sh); ROOT is the
# directory epbench ran in, which the model paths in it are relative to (default: the repository).
# The checker is the one shipped in the onnxruntime wheel (onnxruntime.tools.mobile_helpers.
# usability_checker), pinned to the release of the library the EP numbers come from, installed
# from PyPI into VENV_DIR (default models/generated/usability-venv, git-ignored). ARGS after `--`
# go to scripts/usability_checker_agreement.py (--top N, --jobs N, --details FILE).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 MEASURED.json [ROOT] [VENV_DIR] [-- ARGS...]" >&2
  exit 2
fi
measured=$1
shift
root=$repo
venv=$repo/models/generated/usability-venv
if [ $# -gt 0 ] && [ "$1" != "--" ]; then root=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then venv=$1; shift; fi
if [ $# -gt 0 ]; then shift; fi
python=${EPBENCH_PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  onnxruntime==1.30.0 onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2
"$venv/bin/python" "$repo/scripts/usability_checker_agreement.py" "$measured" --root "$root" "$@"
