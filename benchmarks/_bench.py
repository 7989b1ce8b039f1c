"""The shared start of the ESN benchmark scripts.

Import it before numpy: it pins BLAS (and OpenMP) to one thread, because two threads
fight on a shared machine.  :func:`main` parses ``--quick``, ``--parts`` and
``--repeats``, prints the versions of what is compared and runs the parts;
:func:`paired_medians` times the two sides of a ratio alternately.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.metadata as md  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402


def paired_medians(functions, repeats, *, clock=time.perf_counter):
    """Median seconds of each function, called in turn ``repeats`` times.

    ``clock=time.process_time`` measures CPU seconds of this process (one BLAS
    thread), which other processes on a loaded machine disturb less than wall time.
    """
    import numpy as np

    times = [[] for _ in functions]
    for _ in range(repeats):
        for fn, ts in zip(functions, times):
            t0 = clock()
            fn()
            ts.append(clock() - t0)
    return [float(np.median(ts)) for ts in times]


def main(doc, parts, *, repeats=5, peer=None, peer_name="reservoirpy",
         quick_help="shorter runs, fewer seeds", extra_arguments=None):
    """Parse the command line, print the versions line and run the chosen parts.

    ``peer`` is the optional peer module (None when absent: the scripts then print
    biornn's figures and say so); ``extra_arguments(parser)`` adds script options.
    """
    import numpy as np
    import scipy

    import biornn as bn

    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--parts", default=",".join(parts))
    parser.add_argument("--repeats", type=int, default=repeats)
    if extra_arguments is not None:
        extra_arguments(parser)
    args = parser.parse_args()
    print(f"biornn {bn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"python {platform.python_version()}, BLAS threads pinned to 1, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if peer is None:
        print(f"{peer_name}: absent (pip install -e '.[bench]'); printing biornn's figures only")
    else:
        print(f"{peer_name} {md.version(peer_name)}")
    for name in args.parts.split(","):
        parts[name.strip()](args)
