#!/usr/bin/env bash
# Native TensorFlow for @tensorflow/tfjs-node, without the downloads its install script makes.
#
# tfjs-node's own install script fetches libtensorflow and a prebuilt addon from a Google CDN that
# only the open internet reaches, so the workspace does not run it (it is not in
# onlyBuiltDependencies). This script does the same job from PyPI instead: the tensorflow-cpu wheel
# ships libtensorflow_cc.so.2 (which exports the TF_*/TFE_* C API the addon calls),
# libtensorflow_framework.so.2 and the C headers. It
#   1. downloads the pinned wheel into $REC_LOCAL_DIR/tensorflow (once; checked by sha256),
#   2. extracts the two libraries and the C headers next to it (once),
#   3. stages them as tfjs-node's deps/lib and deps/include, the layout its binding.gyp links against,
#   4. builds the addon from source with node-pre-gyp/node-gyp, against the local Node headers when
#      the machine has them (offline), and
#   5. loads it and checks that the 'tensorflow' backend runs an op, then writes a stamp.
# Idempotent: with the stamp in place and the addon loading, a run takes about a second.
#
# Usage: bash infra/tensorflow.sh   (scripts/test.sh and scripts/demo.sh run it after their bootstrap)
# Needs: Node.js with npm (its bundled node-gyp), python3 with pip, g++ and make; linux x86_64.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
REC_LOCAL_DIR=$(realpath -m -- "${REC_LOCAL_DIR:-$REPO_ROOT/.local}")

# The wheel's C API is a superset of what tfjs-node 4.22 was written against (libtensorflow 2.9).
TF_VERSION=2.18.1
TF_WHEEL=tensorflow_cpu-$TF_VERSION-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
TF_WHEEL_SHA256=810c75d7149d2da0cb2092187817b0dcabb80728ca9f9cf3a61f3f42fadd1298
# tfjs-node's install script treats this file as "libtensorflow already downloaded".
TFJS_LIBTENSORFLOW_MARKER=libtensorflow.so.2.9.1

TF_CACHE=$REC_LOCAL_DIR/tensorflow
TF_DIST=$TF_CACHE/$TF_VERSION

log() { printf '[tensorflow] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
now() { date +%s; }

require_tools() {
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
    die "only linux x86_64 is supported (this is $(uname -s)-$(uname -m)): PyPI's tensorflow-cpu wheel is built for it"
  local tool missing=()
  for tool in node python3 g++ make sha256sum; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (Debian: apt-get install nodejs python3 python3-pip g++ make)"
  python3 -m pip --version >/dev/null 2>&1 || die "python3 has no pip (Debian: apt-get install python3-pip)"
}

# tfjs-node as packages/models resolves it (pnpm keeps it under node_modules/.pnpm).
tfjs_dir() {
  node -e "
    const path = require('node:path');
    const pkg = require.resolve('@tensorflow/tfjs-node/package.json', { paths: [process.argv[1]] });
    console.log(path.dirname(pkg));
  " "$REPO_ROOT/packages/models" 2>/dev/null ||
    die "@tensorflow/tfjs-node is not installed; run \`pnpm install\` first"
}

# Everything that makes a build different: when any of it changes, the addon is built again.
fingerprint() {
  local tfjs_version
  tfjs_version=$(node -p "require('$1/package.json').version")
  printf 'tensorflow-cpu %s sha256 %s; tfjs-node %s; node %s (abi %s)\n' \
    "$TF_VERSION" "$TF_WHEEL_SHA256" "$tfjs_version" "$(node --version)" "$(node -p process.versions.modules)"
}

# Loads tfjs-node the way the project does and runs one op on the native backend.
check_binding() {
  TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} node -e "
    const tf = require(require.resolve('@tensorflow/tfjs-node', { paths: [process.argv[1]] }));
    if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
    const sum = tf.tensor1d([1, 2, 3]).sum().dataSync()[0];
    if (sum !== 6) throw new Error('1 + 2 + 3 = ' + sum);
  " "$REPO_ROOT/packages/models"
}

download_wheel() {
  local wheel=$TF_CACHE/$TF_WHEEL
  if [ -f "$wheel" ] && [ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "$TF_WHEEL_SHA256" ]; then
    log "wheel: cached ($wheel)"
    return
  fi
  mkdir -p "$TF_CACHE"
  rm -f "$wheel"
  log "wheel: downloading tensorflow-cpu $TF_VERSION from PyPI (230 MB)"
  local started
  started=$(now)
  # Pinned tags, not this machine's python: only the C libraries are used, never the Python module.
  python3 -m pip download --quiet --no-deps --only-binary=:all: --implementation cp --python-version 3.11 \
    --platform manylinux_2_17_x86_64 --dest "$TF_CACHE" "tensorflow-cpu==$TF_VERSION" ||
    die "pip could not download tensorflow-cpu==$TF_VERSION (is PyPI reachable? pip's proxy/index settings apply)"
  [ -f "$wheel" ] || die "pip downloaded something other than $TF_WHEEL into $TF_CACHE"
  [ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "$TF_WHEEL_SHA256" ] ||
    die "$wheel does not have the pinned sha256 $TF_WHEEL_SHA256; delete it and retry"
  log "wheel: downloaded in $(($(now) - started)) s"
}

# The two libraries and the C API headers (with the few tsl/xla headers they include); the wheel's
# other 9,000 headers are C++ internals the addon does not use.
extract_wheel() {
  if [ -f "$TF_DIST/.extracted" ]; then
    log "libraries and headers: cached ($TF_DIST)"
    return
  fi
  log "libraries and headers: extracting into $TF_DIST"
  local started
  started=$(now)
  rm -rf "$TF_DIST"
  mkdir -p "$TF_DIST/lib" "$TF_DIST/include"
  python3 - "$TF_CACHE/$TF_WHEEL" "$TF_DIST" <<'PY'
import shutil, sys, zipfile
from pathlib import Path

wheel, dist = sys.argv[1], Path(sys.argv[2])
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
headers = ("tensorflow/c/", "tensorflow/core/platform/ctstring", "tsl/platform/ctstring", "xla/tsl/c/")
found = set()
with zipfile.ZipFile(wheel) as zf:
    for info in zf.infolist():
        name = info.filename
        if name in libs:
            target = dist / "lib" / Path(name).name
            found.add(name)
        elif name.startswith("tensorflow/include/") and name.endswith(".h") \
                and name[len("tensorflow/include/"):].startswith(headers):
            target = dist / "include" / name[len("tensorflow/include/"):]
        else:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
missing = libs - found
if missing:
    sys.exit(f"the wheel lacks {sorted(missing)}")
if not (dist / "include/tensorflow/c/eager/c_api.h").is_file():
    sys.exit("the wheel lacks include/tensorflow/c/eager/c_api.h")
PY
  touch "$TF_DIST/.extracted"
  log "libraries and headers: extracted in $(($(now) - started)) s"
}

# deps/ as tfjs-node's binding.gyp expects it: -ltensorflow -ltensorflow_framework from deps/lib,
# headers from deps/include, and an rpath of $ORIGIN/../../deps/lib in the addon. The linker records
# each library's soname (libtensorflow_cc.so.2, libtensorflow_framework.so.2), so those names must
# exist there too. Symlinks into the cache: nothing is copied into the pnpm store's hard links.
stage_deps() {
  local deps=$1/deps
  log "staging deps/lib and deps/include into $deps"
  rm -rf "$deps"
  mkdir -p "$deps/lib"
  ln -s "$TF_DIST/include" "$deps/include"
  ln -s "$TF_DIST/lib/libtensorflow_cc.so.2" "$deps/lib/libtensorflow_cc.so.2"
  ln -s "$TF_DIST/lib/libtensorflow_framework.so.2" "$deps/lib/libtensorflow_framework.so.2"
  ln -s libtensorflow_cc.so.2 "$deps/lib/libtensorflow.so"
  ln -s libtensorflow_framework.so.2 "$deps/lib/libtensorflow_framework.so"
  ln -s libtensorflow_cc.so.2 "$deps/lib/$TFJS_LIBTENSORFLOW_MARKER"
}

# npm's bundled node-gyp (the one `npm rebuild` would use).
find_node_gyp() {
  local candidate npm_root
  npm_root=$(npm root -g 2>/dev/null || true)
  for candidate in "${npm_config_node_gyp:-}" "$npm_root/npm/node_modules/node-gyp/bin/node-gyp.js" \
    "$(dirname "$(dirname "$(command -v node)")")/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
  die "node-gyp not found (it ships with npm; install npm, or set npm_config_node_gyp to node-gyp.js)"
}

# Node's headers for node-gyp: the local ones when they match this node (Debian's nodejs and the
# official tarballs ship include/node), otherwise node-gyp downloads them (needs the internet).
node_headers_dir() {
  local dir version
  for dir in "$(npm config get nodedir 2>/dev/null || true)" "$(dirname "$(dirname "$(command -v node)")")"; do
    if [ -z "$dir" ] || [ ! -f "$dir/include/node/node_version.h" ]; then continue; fi
    version=$(sed -nE 's/^#define NODE_(MAJOR|MINOR|PATCH)_VERSION ([0-9]+).*/\2/p' "$dir/include/node/node_version.h" |
      paste -sd.)
    if [ "v$version" = "$(node --version)" ]; then
      echo "$dir"
      return
    fi
  done
}

build_addon() {
  local tfjs=$1 node_gyp nodedir started
  node_gyp=$(find_node_gyp)
  nodedir=$(node_headers_dir)
  # `install` builds for the best Node-API version only; `rebuild` would build all six it lists.
  local args=(install --build-from-source)
  if [ -n "$nodedir" ]; then
    log "addon: building against the Node headers in $nodedir/include/node"
    args+=("--nodedir=$nodedir")
  else
    log "addon: no local Node $(node --version) headers; node-gyp will download them (needs the internet)"
  fi
  started=$(now)
  rm -rf "${tfjs:?}/build" "${tfjs:?}/lib" # ours alone: the published package has neither
  # node-pre-gyp, not tfjs-node's install script: that one would try the CDN for a prebuilt addon
  # and rewrite package.json, a hard link into the pnpm store.
  (cd "$tfjs" && npm_config_node_gyp=$node_gyp node_modules/.bin/node-pre-gyp "${args[@]}") >"$TF_CACHE/build.log" 2>&1 ||
    {
      tail -n 30 "$TF_CACHE/build.log" >&2
      die "the addon did not build (full log: $TF_CACHE/build.log)"
    }
  log "addon: built in $(($(now) - started)) s"
}

main() {
  local started tfjs stamp expected
  started=$(now)
  tfjs=$(tfjs_dir)
  stamp=$tfjs/deps/.recstream-tensorflow
  expected=$(fingerprint "$tfjs")
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$expected" ] && check_binding 2>/dev/null; then
    log "native TensorFlow $TF_VERSION: ready (tfjs-node backend 'tensorflow')"
    return
  fi

  require_tools
  mkdir -p "$TF_CACHE"
  exec 9>"$TF_CACHE/setup.lock"
  flock -w 1200 9 || die "another setup holds $TF_CACHE/setup.lock"
  log "setting up native TensorFlow $TF_VERSION for tfjs-node in $tfjs"
  download_wheel
  extract_wheel
  stage_deps "$tfjs"
  build_addon "$tfjs"
  check_binding || die "the addon built but does not load or run (see the error above)"
  echo "$expected" >"$stamp"
  log "native TensorFlow $TF_VERSION: ready in $(($(now) - started)) s"
}

main "$@"
