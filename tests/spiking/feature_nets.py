"""Small Brian2 networks for the feature tests (numpy target, tiny sizes)."""

import brian2 as b2

b2.prefs.codegen.target = "numpy"
b2.prefs.logging.console_log_level = "WARNING"

# A leaky integrate-and-fire cell with v measured from rest, as in the liquid.
LIF = """
dv/dt = (-v + R_m*({total}))/tau_m + sigma*sqrt(2/tau_m)*xi : volt (unless refractory)
I_inj : amp
"""


def lif_group(n, parts=(), *, tau_m=30e-3, R_m=1e6, v_th=15e-3, v_reset=13.5e-3,
              sigma=0.0, refractory=2e-3, dt=0.1e-3, method=None):
    """NeuronGroup of ``n`` LIF cells adding the currents of ``parts`` (NeuronPart)."""
    total = " + ".join(["I_inj", *[p.name for p in parts]])
    eqs = LIF.format(total=total) + "\n".join(p.equations for p in parts)
    namespace = {"tau_m": tau_m * b2.second, "R_m": R_m * b2.ohm, "sigma": sigma * b2.volt,
                 "v_th": v_th * b2.volt, "v_reset": v_reset * b2.volt}
    for p in parts:
        namespace.update(p.namespace)
    return b2.NeuronGroup(n, eqs, threshold="v > v_th", reset="v = v_reset",
                          refractory=refractory * b2.second, namespace=namespace,
                          method=method or ("euler" if sigma else ("exact", "euler")),
                          dt=dt * b2.second)
