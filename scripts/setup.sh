#!/usr/bin/env bash
# Sets labreport up on Debian/Ubuntu, idempotently: system packages (Chromium for printing, OpenBLAS
# and oneDNN for the native engine, Jupyter for working interactively), npm packages (which builds the
# native engine), the compiled library, and the tslab kernel registered with Jupyter; and Debian's
# PyTorch, the reference that the tests (optimisers, schedules, layers) and the benchmark compare with.
#   scripts/setup.sh           what building, testing and benchmarking need
#   scripts/setup.sh --bench   also makes OpenBLAS's threaded build the system BLAS (PyTorch's speed)
set -euo pipefail
cd "$(dirname "$0")/.."

# Fonts: DejaVu for the report; WenQuanYi (Chinese, Japanese, Korean) and Noto Color Emoji so that
# names and printed output in those scripts are not boxes in the PDF. redis-server: the job queue of
# `labreport build --queue` (its tests start their own on a loopback port).
packages=(chromium poppler-utils fonts-dejavu-core fonts-wqy-microhei fonts-noto-color-emoji g++ make python3
          libopenblas-dev libopenblas0-pthread libdnnl-dev dataset-fashion-mnist
          jupyter-notebook jupyter-client python3-torch redis-server)

sudo=""
if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PyTorch (the benchmark's reference) is several times faster on OpenBLAS's threaded build than on
# the reference BLAS Debian may select.
if [[ "${1:-}" == "--bench" ]]; then
  alt=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas-pthread || true)
  [[ -n "$alt" ]] && $sudo update-alternatives --set libblas.so.3-x86_64-linux-gnu "$alt" >/dev/null
fi

echo "setup: installing npm packages (builds the native engine)"
# A clean install the first time; later runs only bring node_modules up to date (much faster).
if [[ -f package-lock.json && ! -d node_modules ]]; then npm ci --no-audit --no-fund --loglevel=error
else npm install --no-audit --no-fund --loglevel=error; fi

echo "setup: compiling the library and the build tool"
npm run --silent compile

# Register the kernel so that `jupyter notebook notebooks/` runs the assignments interactively.
if command -v jupyter >/dev/null 2>&1; then
  node node_modules/tslab/bin/tslab install --python=/usr/bin/python3 --binary "$PWD/node_modules/.bin/tslab" >/dev/null 2>&1 \
    && node scripts/kernel-env.js \
    && echo "setup: tslab kernel registered with Jupyter" \
    || echo "setup: warning: could not register the tslab kernel with Jupyter (run: npx tslab install --python=/usr/bin/python3)"
fi
echo "setup: done"
