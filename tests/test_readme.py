"""Every Python block of the README runs when pasted alone, in a fresh interpreter."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
# blocks that simulate a liquid or train for epochs take more than a few seconds
SLOW = re.compile(r"\.run\(|\.learn\(|bn\.train\(|spoken_digits\(")


def _param(i, code):
    marks = [pytest.mark.slow] if SLOW.search(code) else []
    first = next((ln for ln in code.splitlines() if ln.strip() and not ln.startswith(
        ("import", "from"))), "")
    return pytest.param(code, id=f"block{i}-{first[:30].strip()}", marks=marks)


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("code", [_param(i, c) for i, c in enumerate(BLOCKS)])
def test_readme_block_runs_alone(code, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg",
           "BIORNN_FSDD": os.environ.get("BIORNN_FSDD",
                                         str(ROOT.parent / "shared" / "data" / "fsdd" /
                                             "recordings"))}
    if "spoken_digits(" in code and not Path(env["BIORNN_FSDD"]).is_dir():
        pytest.skip("the FSDD recordings are not on this machine")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
