import brian2 as b2
import pytest

b2.prefs.codegen.target = "numpy"   # tiny networks: no compile step
b2.prefs.logging.console_log_level = "WARNING"


@pytest.fixture(autouse=True)
def _fresh_brian_state():
    b2.start_scope()
    b2.defaultclock.dt = 0.1 * b2.ms
    yield
