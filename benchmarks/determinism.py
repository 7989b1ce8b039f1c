"""How far results move with the number of BLAS threads (the README's reliability figures).

Runs the same seeded ESN on NARMA-10 in two fresh processes, one with one BLAS thread and
one with two, and prints the largest difference of the states and of the readout's test
predictions between them, and between two runs with the same thread count (which must be
zero).  Usage: ``python benchmarks/determinism.py [--units 500]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

CHILD = """
import sys, numpy as np, biornn as bn
n = int(sys.argv[2])
u, y = bn.tasks.narma(n_steps=3200, order=10, seed=0)
esn = bn.ESN(n_units=n, spectral_radius=0.9, input_scaling=0.1, density=0.1, seed=0)
X = esn.run(u)
r = bn.Ridge(alpha=1e-6).fit(X[200:2200], y[200:2200])
np.savez(sys.argv[1], states=X, predictions=r.predict(X[2200:]))
"""


def run(threads, units, path):
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..")}
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    subprocess.run([sys.executable, "-c", CHILD, path, str(units)], env=env, check=True)
    with np.load(path) as f:
        return f["states"], f["predictions"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = run(1, args.units, os.path.join(tmp, "a.npz"))
        one_again = run(1, args.units, os.path.join(tmp, "b.npz"))
        two = run(2, args.units, os.path.join(tmp, "c.npz"))
    for name, k in (("states", 0), ("test predictions", 1)):
        print(f"{name:17s} 1 vs 1 thread: max |diff| = {np.max(np.abs(one[k] - one_again[k])):.1e}"
              f";  1 vs 2 threads: max |diff| = {np.max(np.abs(one[k] - two[k])):.1e}")


if __name__ == "__main__":
    main()
