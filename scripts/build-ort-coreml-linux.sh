#!/usr/bin/env bash
# Builds ONNX Runtime with its CoreML execution provider for Linux, from an ORT source checkout:
# the CPU EP plus CoreML, as a shared library, no tests, no Python. On a non-Apple host ORT
# compiles the CoreML EP with execution stubbed out (onnxruntime/core/providers/coreml/model/
# model_stub.cc, host_utils_stub.cc): registration, options, GetCapability with its per-node log
# and the CoreML model builder are ORT's real code; only Session::run fails. epbench loads the
# result as a runtime requirement: `epbench --ort file:$PWD/<build dir>/libonnxruntime.so env`.
#
#   scripts/build-ort-coreml-linux.sh SRC_DIR [--as-upstream] [-- EXTRA build.sh ARGS]
#
# SRC_DIR is a checkout of microsoft/onnxruntime with its submodules. ORT's build fetches its
# pinned dependencies (cmake/deps.txt) and coremltools from the network on first configure.
#
# By default the one line a Linux build gets wrong is changed, as in the build the project's CI
# uses: builders/impl/base_op_builder.cc guards ML Program's fp16/int64 inputs with
# `#if CAN_BUILD_COREML6_OR_LATER`, a macOS SDK test (model/host_utils.h) that every Mac SDK of
# recent years passes and that is undefined on Linux; unchanged, the Linux build rejects fp16 and
# int64 inputs in ML Program where every shipped Mac build accepts them. --as-upstream leaves the
# source as it is.
#
# The flags are those of the shared build (ORT main of 2026-08-23, 1.30.0): CMake with
# onnxruntime_USE_COREML=ON, onnxruntime_BUILD_SHARED_LIB=ON, onnxruntime_BUILD_UNIT_TESTS=OFF,
# onnxruntime_ENABLE_PYTHON=OFF, CMAKE_BUILD_TYPE=Release, contrib ops on, gcc 12 on Debian 12.
set -euo pipefail

usage() {
    echo "usage: $0 SRC_DIR [--as-upstream] [-- EXTRA build.sh ARGS]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
src=$1
shift
patch=1
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --as-upstream) patch=0 ;;
        --) shift; extra=("$@"); break ;;
        *) echo "$0: unknown argument: $1" >&2; usage ;;
    esac
    shift
done

if [ ! -d "$src" ]; then
    echo "$0: $src is not a directory" >&2
    exit 2
fi
builder="$src/onnxruntime/core/providers/coreml/builders/impl/base_op_builder.cc"
if [ ! -x "$src/build.sh" ] || [ ! -f "$src/VERSION_NUMBER" ] || [ ! -f "$builder" ]; then
    echo "$0: $src is not an ONNX Runtime source checkout with the CoreML EP (no build.sh, VERSION_NUMBER or $builder)" >&2
    exit 2
fi
for tool in cmake python3 g++; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is needed to build ONNX Runtime" >&2; exit 2; }
done

if [ "$patch" = 1 ]; then
    if grep -q '^#if CAN_BUILD_COREML6_OR_LATER' "$builder"; then
        # Only the input-type guard of IsInputDtypeSupport: the first such line in the file.
        sed -i '0,/^#if CAN_BUILD_COREML6_OR_LATER/s//#if 1  \/\/ Linux build: every macOS SDK >= 13 takes this branch (CAN_BUILD_COREML6_OR_LATER)/' "$builder"
        echo "patched $builder: fp16/int64 inputs in ML Program as on a Mac"
    elif grep -q '^#if 1  // Linux' "$builder"; then
        echo "$builder is already patched"
    else
        echo "$0: warning: no '#if CAN_BUILD_COREML6_OR_LATER' in $builder; building it as it is" >&2
    fi
fi

version=$(cat "$src/VERSION_NUMBER")
echo "building ONNX Runtime $version with the CoreML EP for Linux (this takes a while)"
cd "$src"
./build.sh --config Release --build_shared_lib --use_coreml --skip_tests --parallel \
    --cmake_extra_defines onnxruntime_BUILD_UNIT_TESTS=OFF onnxruntime_ENABLE_PYTHON=OFF \
    "${extra[@]}"

library=$(find "$src/build/Linux/Release" -maxdepth 1 -name 'libonnxruntime.so.*' -type f | head -n 1)
if [ -z "$library" ]; then
    echo "$0: the build finished but no libonnxruntime.so.* is in $src/build/Linux/Release" >&2
    exit 1
fi
echo "built $library"
echo "use it with: epbench --ort file:$library env"
