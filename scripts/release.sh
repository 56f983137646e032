#!/usr/bin/env bash
# Builds the release binary for the servers banks run: x86_64 Linux needing
# at most GLIBC 2.17 (RHEL/CentOS 7 and everything after), stripped, then
# packs it with the README, LICENSE, CHANGELOG, shell completions and man
# pages into target/dist/custseg-<version>-x86_64-linux-glibc2.17.tar.gz.
#
#   scripts/release.sh            # build, check, pack; prints the figures
#
# The glibc floor comes from `cargo zigbuild`: zig's linker links against
# glibc 2.17's symbol versions. ziglang and cargo-zigbuild are PyPI packages,
# installed once into scripts/.venv (ignored by git); no toolchain is
# downloaded otherwise, and the Rust target is the host's own.
# Fails if the binary needs any GLIBC symbol newer than 2.17.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-gnu
GLIBC=2.17
VENV=scripts/.venv
DIST=target/dist
TARGET_DIR=${CARGO_TARGET_DIR:-target}

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "release.sh: $1 is needed ($2)" >&2; exit 1; }
}
need python3 "to install ziglang and cargo-zigbuild from PyPI"
need strip "binutils"
need objdump "binutils"
if ! rustup target list --installed | grep -qx "$TARGET"; then
  echo "release.sh: the Rust target $TARGET is not installed (rustup target add $TARGET)" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/cargo-zigbuild" ] || ! "$VENV/bin/python" -c 'import ziglang' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check ziglang cargo-zigbuild
fi
export PATH="$PWD/$VENV/bin:$PATH"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
echo "building custseg $version for $TARGET, glibc $GLIBC ($(cargo-zigbuild --version), ziglang $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("ziglang"))'))"
start=$(date +%s)
cargo zigbuild --locked --release --bin custseg --target "$TARGET.$GLIBC"
build_seconds=$(( $(date +%s) - start ))

mkdir -p "$DIST"
bin="$DIST/custseg"
cp "$TARGET_DIR/$TARGET/release/custseg" "$bin"
strip --strip-all "$bin"

# The highest GLIBC symbol version the binary asks the loader for.
highest=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1)
highest=${highest#GLIBC_}
if [ "$(printf '%s\n%s\n' "$highest" "$GLIBC" | sort -V | tail -1)" != "$GLIBC" ]; then
  echo "release.sh: $bin needs GLIBC $highest, more than $GLIBC" >&2
  exit 1
fi
# The binary runs and reports the version it was built as.
"$bin" --version | grep -qx "custseg $version" || { echo "release.sh: $bin --version is wrong" >&2; exit 1; }

name="custseg-$version-x86_64-linux-glibc$GLIBC"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg="$stage/$name"
mkdir -p "$pkg/completions" "$pkg/man/man1"
cp "$bin" README.md LICENSE CHANGELOG.md "$pkg/"
"$bin" completions bash > "$pkg/completions/custseg.bash"
"$bin" completions zsh > "$pkg/completions/_custseg"
"$bin" completions fish > "$pkg/completions/custseg.fish"
"$bin" man --dir "$pkg/man/man1" >/dev/null
tar -C "$stage" -czf "$DIST/$name.tar.gz" "$name"

echo "built $bin in ${build_seconds} s: $(stat -c %s "$bin") bytes stripped, highest GLIBC symbol $highest (<= $GLIBC)"
echo "packed $DIST/$name.tar.gz ($(stat -c %s "$DIST/$name.tar.gz") bytes): $(tar -tzf "$DIST/$name.tar.gz" | grep -vc '/$') files"
