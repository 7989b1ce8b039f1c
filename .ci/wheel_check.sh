#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtual environment outside the checkout and,
# from another directory, use the shipped presets and specs (issue: a wheel install works).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python -m pip wheel --quiet --no-deps -w "$work/dist" "$repo"
python -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/biornn-*.whl
mkdir "$work/elsewhere"
cd "$work/elsewhere"
export MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1
"$work/venv/bin/python" - <<'PY'
import biornn, pathlib
assert "site-packages" in biornn.__file__, biornn.__file__
print("biornn from", pathlib.Path(biornn.__file__).parent)
PY
models="$("$work/venv/bin/biornn" models)"
grep -q maass2002_lsm <<<"$models" || { echo "biornn models lists no maass2002_lsm"; exit 1; }
sims="$("$work/venv/bin/biornn" simulations)"
grep -q esn_narma <<<"$sims" || { echo "biornn simulations lists no esn_narma"; exit 1; }
"$work/venv/bin/biornn" run esn_narma --set esn.n_units=30 --set task.n_train=300 \
    --set task.n_test=100 --set "readout.alpha=[1e-6, 1e-2]" --no-progress --out runs
"$work/venv/bin/biornn" run runs/esn_narma-* --no-progress --out reruns   # rerun from spec.toml
"$work/venv/bin/python" -m biornn validate lsm_vs_esn
"$work/venv/bin/python" - <<'PY'
import biornn as bn
from biornn.spiking import LSM
data = bn.tasks.spike_templates(n_templates=2, n_channels=4, duration=0.05, rate=20.0,
                                jitter=0.004, n_trials=2, seed=0)
X = LSM.from_model("maass2002_lsm", seed=1).run(data.inputs, seed=2, progress=False)
assert X.shape[0] == 2 and X.shape[2] == 135, X.shape
print("liquid from the shipped preset:", X.shape)
PY
echo "wheel check: ok"
