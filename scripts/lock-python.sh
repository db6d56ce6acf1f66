#!/usr/bin/env bash
# Regenerates src/sandbox/requirements.txt, the hash-pinned lock of the emulator venv, from requirements.in.
# One universal resolution for every Python the README supports (3.10 and newer), every file's hash included,
# so `pip install --require-hashes` refuses anything that was not reviewed here.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check uv==0.13.9
"$tmp/venv/bin/uv" pip compile --universal --python-version 3.10 --generate-hashes --quiet \
  --custom-compile-command 'scripts/lock-python.sh' \
  -o src/sandbox/requirements.txt src/sandbox/requirements.in
echo "wrote src/sandbox/requirements.txt"
