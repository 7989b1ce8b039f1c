"""A two-layer perceptron trained by backpropagation, and its use as a time-delay model.

Hidden layer and output (the notation of the slides):

    u_y = W x + b,   y = σ(u_y),        u_z = V y + c,   z = σ_out(u_z)

with ``σ = tanh`` (or the logistic function) and a linear or logistic output.
For the loss ``L = (1/B) Σ ½ ||z − T||²`` backpropagation (Rumelhart, Hinton &
Williams 1986) gives

    δ_z = (z − T) ⊙ σ_out'(u_z),        δ_y = σ'(u_y) ⊙ Vᵀ δ_z,
    ∂L/∂V = δ_z yᵀ,   ∂L/∂W = δ_y xᵀ,

and gradient descent is the generalised delta rule ``ΔW = −η δ_y xᵀ``.

A feedforward network has no state: to model a sequence it must be shown a
window of the last ``w`` inputs at once (a time-delay network, Waibel et al.
1989; :func:`delay_embed`).  Its input layer, and so its cost per step, grows
linearly with the window, and it cannot see anything older than ``w`` steps,
the point a recurrent network answers.
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from .._validate import as_float_array, check_choice, check_positive_int
from ..io import Array, register_saveable

__all__ = ["MLP", "delay_embed"]

ACTIVATIONS = ("tanh", "logistic")


def _activate(u, kind):
    """Return ``σ(u)`` and ``σ'(u)`` (expressed through σ(u))."""
    if kind == "tanh":
        s = np.tanh(u)
        return s, 1.0 - s * s
    if kind == "logistic":
        s = 0.5 * (1.0 + np.tanh(0.5 * u))
        return s, s * (1.0 - s)
    return u, np.ones_like(u)                      # linear


def delay_embed(u, window):
    """Stack the last ``window`` inputs: row ``t`` is ``[u_t, u_{t−1}, ..., u_{t−w+1}]``.

    Parameters
    ----------
    u : array (T, D) or (T,)
    window : int >= 1

    Returns
    -------
    ndarray (T − window + 1, window · D); row ``i`` ends at time ``t = i + window − 1``.
    """
    window = check_positive_int("window", window)
    u = as_float_array("u", u, ndim=(1, 2))
    if u.ndim == 1:
        u = u[:, None]
    T = u.shape[0]
    if window > T:
        raise ValueError(f"window must not exceed the sequence length {T}, got {window}")
    lagged = [u[window - 1 - k: T - k] for k in range(window)]
    return np.concatenate(lagged, axis=1)


@register_saveable
class MLP:
    """Perceptron with one hidden layer, trained by backpropagation (Rumelhart, Hinton & Williams 1986).

    ``y = σ(W x + b)``, ``z = σ_out(V y + c)``; the gradients of ``½ ||z − T||²`` are
    backpropagated as in the module docstring.

    Parameters
    ----------
    n_inputs, n_hidden, n_outputs : int
    activation : {"tanh", "logistic"}, default "tanh"
        Hidden nonlinearity σ.
    output : {"linear", "logistic"}, default "linear"
    seed : None, int or Generator
        ``W ~ N(0, 1/n_inputs)``, ``V ~ N(0, 1/n_hidden)``, biases 0.

    Attributes
    ----------
    params : dict
        ``W`` (H, D), ``b`` (H,), ``V`` (O, H), ``c`` (O,).

    Examples
    --------
    >>> net = MLP(2, 8, 1, seed=0)
    >>> loss, grads = net.backprop(np.zeros((4, 2)), np.zeros((4, 1)))
    """

    def __init__(self, n_inputs, n_hidden, n_outputs, *, activation="tanh", output="linear",
                 seed=None):
        self.n_inputs = check_positive_int("n_inputs", n_inputs)
        self.n_hidden = check_positive_int("n_hidden", n_hidden)
        self.n_outputs = check_positive_int("n_outputs", n_outputs)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.output = check_choice("output", output, ("linear", "logistic"))
        self.seed = seed if seed is None or isinstance(seed, int) else None
        rng = as_generator(seed)
        D, H, O = self.n_inputs, self.n_hidden, self.n_outputs
        self.params = {"W": rng.standard_normal((H, D)) / np.sqrt(D), "b": np.zeros(H),
                       "V": rng.standard_normal((O, H)) / np.sqrt(H), "c": np.zeros(O)}

    @property
    def n_parameters(self):
        """Total number of weights and biases."""
        return int(sum(p.size for p in self.params.values()))

    def _check(self, x, y=None):
        x = as_float_array("x", x, ndim=2, shape=(None, self.n_inputs))
        if y is None:
            return x
        y = as_float_array("y", y, ndim=(1, 2))
        y = y[:, None] if y.ndim == 1 else y
        if y.shape != (x.shape[0], self.n_outputs):
            raise ValueError(f"y must have shape {(x.shape[0], self.n_outputs)} to match x, "
                             f"got {y.shape}")
        return x, y

    def _forward(self, x):
        p = self.params
        y, dy = _activate(x @ p["W"].T + p["b"], self.activation)
        z, dz = _activate(y @ p["V"].T + p["c"], self.output)
        return y, dy, z, dz

    def predict(self, x):
        """Network output ``z`` for samples ``x`` (B, D) -> (B, O)."""
        return self._forward(self._check(x))[2]

    def loss_value(self, x, y, mask=None):
        """``L = (1/B) Σ ½ ||z − T||²``."""
        x, y = self._check(x, y)
        z = self._forward(x)[2]
        return float(0.5 * np.sum((z - y) ** 2) / x.shape[0])

    def backprop(self, x, y):
        """Loss and gradients by backpropagation (see the module docstring).

        Parameters
        ----------
        x : array (B, D)
        y : array (B, O) or (B,)

        Returns
        -------
        loss : float
        grads : dict with keys ``W, b, V, c``
        """
        x, t = self._check(x, y)
        B = x.shape[0]
        hidden, dhidden, z, dz = self._forward(x)
        delta_z = (z - t) * dz / B
        delta_y = dhidden * (delta_z @ self.params["V"])
        loss = float(0.5 * np.sum((z - t) ** 2) / B)
        return loss, {"W": delta_y.T @ x, "b": delta_y.sum(axis=0),
                      "V": delta_z.T @ hidden, "c": delta_z.sum(axis=0)}

    def gradient(self, x, y, mask=None):
        """Same as :meth:`backprop` (the name :func:`~biornn.rate.optim.train` calls)."""
        if mask is not None:
            raise ValueError("an MLP has no time axis: mask must be None")
        return self.backprop(x, y)

    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_inputs": check_positive_int, "n_hidden": check_positive_int,
              "n_outputs": check_positive_int, "activation": tuple(ACTIVATIONS),
              "output": ("linear", "logistic"), "W": Array(("n_hidden", "n_inputs")),
              "b": Array(("n_hidden",)), "V": Array(("n_outputs", "n_hidden")),
              "c": Array(("n_outputs",))}

    def _get_state(self):
        return ({"n_inputs": self.n_inputs, "n_hidden": self.n_hidden,
                 "n_outputs": self.n_outputs, "activation": self.activation,
                 "output": self.output, "seed": self.seed}, dict(self.params))

    @classmethod
    def _from_state(cls, params, arrays):
        obj = cls(**params)
        obj.params = {k: np.array(arrays[k]) for k in obj.params}
        return obj
