#!/usr/bin/env bash
# Image build time (no cache) on the stand-in base, and the size the project adds on top of it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v podman >/dev/null; then
  echo "| container | skipped: no podman (run ../shared/tools/container-env.sh) |"
  exit 0
fi
base=${STANDIN_BASE:-localhost/standin-python:slim}
flags=(--runtime runc --network host --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
start=$(date +%s.%N)
podman build "${flags[@]}" --no-cache --quiet --build-arg BASE_IMAGE="$base" -t localhost/autosana-action:bench . >/dev/null
end=$(date +%s.%N)
image=$(podman image inspect localhost/autosana-action:bench --format '{{.Size}}')
base_size=$(podman image inspect "$base" --format '{{.Size}}')
echo "| container figure | value | target |"
echo "|---|---|---|"
python3 -c "print(f'| image build, no cache, stand-in base | {$end - $start:.1f} s | report |')"
python3 -c "print(f'| size added on top of the base | {($image - $base_size) / 1e6:.1f} MB | ≤ 50 MB |')"
