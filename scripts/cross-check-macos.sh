#!/usr/bin/env bash
# Checks that epbench compiles for Apple silicon (aarch64-apple-darwin) from a Linux machine:
#   scripts/cross-check-macos.sh [cargo check arguments...]    e.g. --all-targets
# Needs the target's standard library (`rustup target add aarch64-apple-darwin`). The only C
# dependency, Oniguruma (onig_sys, behind the tokenizers crate), is compiled with zig's clang
# for aarch64-macos, taken from PyPI (`ziglang`) into a virtualenv under target/, and zig also
# links the one thing built for the target as a library, the stand-in EP's loader (build.rs):
# zig carries macOS's system library stubs, so no macOS SDK is needed (rustc warns that xcrun is
# missing). The Apple-silicon workflow builds and runs it natively.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
tools="$target_dir/cross-macos"
python=${EPBENCH_PYTHON:-python3}

rustup target list --installed | grep -qx aarch64-apple-darwin || rustup target add aarch64-apple-darwin
if [ ! -x "$tools/venv/bin/python" ]; then
  "$python" -m venv "$tools/venv"
  "$tools/venv/bin/python" -m pip install --quiet ziglang==0.17.0
fi
zig_python=$(cd "$tools/venv/bin" && pwd)/python

# cc-rs passes Apple's `-arch arm64` and `--target=arm64-apple-macosx`; zig takes its own
# `-target aarch64-macos` instead.
cat > "$tools/cc" <<CC
#!/bin/sh
skip=
for arg do
  shift
  if [ -n "\$skip" ]; then skip=; continue; fi
  case "\$arg" in
    -arch) skip=1; continue ;;
    --target=*) continue ;;
  esac
  set -- "\$@" "\$arg"
done
exec "$zig_python" -m ziglang cc -target aarch64-macos "\$@"
CC
printf '#!/bin/sh\nexec "%s" -m ziglang ar "$@"\n' "$zig_python" > "$tools/ar"
chmod +x "$tools/cc" "$tools/ar"

CC_aarch64_apple_darwin="$(cd "$tools" && pwd)/cc" \
AR_aarch64_apple_darwin="$(cd "$tools" && pwd)/ar" \
CARGO_TARGET_AARCH64_APPLE_DARWIN_LINKER="$(cd "$tools" && pwd)/cc" \
  cargo check --target aarch64-apple-darwin "$@"
