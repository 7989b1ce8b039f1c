"""Random column geometry and synapse draws for the liquid (plain numpy, no Brian2).

Maass, Natschläger & Markram (2002): neurons sit on an integer grid; a synapse
a -> b exists with probability ``C[type(a) type(b)] * exp(-(D(a, b) / lambda)^2)``
(D the Euclidean distance, no autapses); U, D, F are normal around the type's mean
with SD = ``parameter_spread`` x mean (redrawn while non-positive, or U > 1); A is
gamma-distributed with SD = ``amplitude_spread`` x ``|mean|``, sign kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validate import ParameterSet, param

__all__ = ["ConnectivityParameters", "InputParameters", "Projection", "grid_positions", "draw_types", "connection_probability",
           "draw_recurrent", "draw_input", "positive_normal", "signed_gamma"]

TYPES = ("E", "I")


@dataclass(frozen=True)
class ConnectivityParameters(ParameterSet):
    """``C`` of ``C exp(-(D/lambda)^2)`` per connection type (first letter presynaptic),
    Maass, Natschläger & Markram (2002): EE 0.3, EI 0.2, IE 0.4, II 0.1."""

    EE: float = param(0.3, "1", "fraction")
    EI: float = param(0.2, "1", "fraction")
    IE: float = param(0.4, "1", "fraction")
    II: float = param(0.1, "1", "fraction")


@dataclass(frozen=True)
class InputParameters(ParameterSet):
    """Static input synapses of each input channel.

    Parameters
    ----------
    A_E, A_I : float (A), default 18e-9, 9e-9
        Mean amplitude onto excitatory / inhibitory neurons (Maass et al. 2002).
    fraction : float (1), default 0.3
        Fraction of the column each channel projects to (our choice).
    delay : float (s), default 8e-4
        Not given in the paper; the same as the non-EE delays.
    """

    A_E: float = param(18e-9, "A")
    A_I: float = param(9e-9, "A")
    fraction: float = param(0.3, "1", "probability")
    delay: float = param(0.8e-3, "s", "nonnegative")


@dataclass
class Projection:
    """One synaptic projection of the column: index arrays and per-synapse parameters.

    ``params`` maps a Brian2 variable name (``A``, ``U``, ``D``, ``F``, ``delay``) to
    an array of SI floats, one per synapse.
    """

    pre: np.ndarray
    post: np.ndarray
    params: dict = field(default_factory=dict)

    @property
    def n_synapses(self) -> int:
        return int(self.pre.size)


def grid_positions(shape) -> np.ndarray:
    """Integer grid coordinates ``(prod(shape), 3)``, x running slowest."""
    axes = [np.arange(s) for s in shape]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(shape))


def draw_types(n, inhibitory_fraction, rng) -> np.ndarray:
    """Boolean mask of inhibitory neurons: ``round(fraction * n)`` chosen at random."""
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, size=int(round(inhibitory_fraction * n)), replace=False)] = True
    return mask


def connection_probability(positions, inhibitory, C, length_constant) -> np.ndarray:
    """Matrix ``p[a, b] = C[type a + type b] exp(-(D(a,b)/lambda)^2)``, zero diagonal."""
    d2 = ((positions[:, None, :] - positions[None, :, :]) ** 2).sum(-1)
    kind = np.where(inhibitory, 1, 0)
    table = np.array([[C["EE"], C["EI"]], [C["IE"], C["II"]]])
    p = table[kind[:, None], kind[None, :]] * np.exp(-d2 / length_constant ** 2)
    np.fill_diagonal(p, 0.0)
    return p


def positive_normal(mean, spread, size, rng, upper=np.inf) -> np.ndarray:
    """Normal draws with mean ``mean`` and SD ``spread*|mean|``, redrawn until in ``(0, upper]``."""
    out = rng.normal(mean, spread * abs(mean), size)
    bad = (out <= 0) | (out > upper)
    while bad.any():
        out[bad] = rng.normal(mean, spread * abs(mean), bad.sum())
        bad = (out <= 0) | (out > upper)
    return out


def signed_gamma(mean, spread, size, rng) -> np.ndarray:
    """Gamma draws with mean ``|mean|`` and SD ``spread*|mean|``, with the sign of ``mean``."""
    if spread == 0 or mean == 0:
        return np.full(size, float(mean))
    shape = 1.0 / spread ** 2
    return np.sign(mean) * rng.gamma(shape, abs(mean) / shape, size)


def draw_recurrent(positions, inhibitory, C, length_constant, synapses, rng):
    """Draw the recurrent synapses, split by presynaptic type.

    Returns
    -------
    dict
        ``{"E": Projection, "I": Projection}``: synapses from excitatory neurons
        (targets ``I_syn_e``) and from inhibitory ones (``I_syn_i``), each with
        ``A, U, D, F, delay`` per synapse.
    """
    p = connection_probability(positions, inhibitory, C, length_constant)
    pre, post = np.nonzero(rng.random(p.shape) < p)
    spread, a_spread = synapses["parameter_spread"], synapses["amplitude_spread"]
    out = {}
    for pre_type, pre_inh in (("E", False), ("I", True)):
        sel = inhibitory[pre] == pre_inh
        proj = Projection(pre[sel], post[sel])
        cols = {k: np.empty(sel.sum()) for k in ("A", "U", "D", "F", "delay")}
        for post_type, post_inh in (("E", False), ("I", True)):
            m = inhibitory[proj.post] == post_inh
            par = synapses[pre_type + post_type]
            size = int(m.sum())
            cols["U"][m] = positive_normal(par["U"], spread, size, rng, upper=1.0)
            cols["D"][m] = positive_normal(par["D"], spread, size, rng)
            cols["F"][m] = positive_normal(par["F"], spread, size, rng)
            cols["A"][m] = signed_gamma(par["A"], a_spread, size, rng)
            cols["delay"][m] = par["delay"]
        proj.params = cols
        out[pre_type] = proj
    return out


def draw_input(channel, n_neurons, inhibitory, input_params, amplitude_spread, seed_entropy):
    """Input synapses of one channel onto a random ``fraction`` of the column.

    Drawn from a generator keyed by ``(seed_entropy, channel)``, so a channel's
    synapses do not depend on how many channels the input has.
    """
    rng = np.random.default_rng([seed_entropy, channel])
    k = max(1, int(round(input_params["fraction"] * n_neurons)))
    post = np.sort(rng.choice(n_neurons, size=k, replace=False))
    A = np.where(inhibitory[post],
                 signed_gamma(input_params["A_I"], amplitude_spread, k, rng),
                 signed_gamma(input_params["A_E"], amplitude_spread, k, rng))
    return Projection(np.full(k, channel), post, {"A": A})
