"""The package's shape: the rate half never pulls in Brian2."""

import subprocess
import sys


def test_import_biornn_does_not_import_brian2():
    code = ("import sys, biornn, biornn.rate.esn, biornn.rate.hopfield, biornn.rate.rnn; "
            "print('brian2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_spiking_models_are_reachable_from_the_top_level():
    import biornn

    assert biornn.LSM is biornn.spiking.LiquidStateMachine
