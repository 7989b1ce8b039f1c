"""Gradient-descent optimisers, gradient clipping and a training loop.

Every model here keeps its parameters in a dict ``model.params`` and returns
gradients in a dict with the same keys; an optimiser updates the arrays in
place, so views of them (and the model) stay valid.

SGD with momentum (Polyak 1964; as in Sutskever et al. 2013)::

    v ← μ v − η g,      θ ← θ + v

Adam (Kingma & Ba 2015)::

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
    θ ← θ − η m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)

Gradient-norm clipping (Pascanu, Mikolov & Bengio 2013) rescales all gradients
together when their global norm exceeds a threshold, the standard guard against
the exploding gradients of recurrent networks.
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from .._rng import as_generator
from .._validate import check_bool, check_in_range, check_nonnegative_int, check_positive, \
    check_positive_int

__all__ = ["SGD", "Adam", "clip_grad_norm", "global_norm", "train"]


class SGD:
    """Stochastic gradient descent with (optional) momentum (Polyak 1964).

    ``v ← μ v − η g``, ``θ ← θ + v`` (``μ = 0``: plain SGD, ``θ ← θ − η g``).

    Parameters
    ----------
    learning_rate : float > 0
    momentum : float in [0, 1), default 0
    """

    def __init__(self, learning_rate=0.01, momentum=0.0):
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.momentum = check_in_range("momentum", momentum, 0, 1, high_open=True)
        self._velocity = {}

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (dicts with the same keys)."""
        for k, g in grads.items():
            if self.momentum:
                v = self._velocity.setdefault(k, np.zeros_like(params[k]))
                v *= self.momentum
                v -= self.learning_rate * g
                params[k] += v
            else:
                params[k] -= self.learning_rate * g


class Adam:
    """Adam (Kingma & Ba 2015).

    ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``,
    ``θ ← θ − η m̂ / (√v̂ + ε)`` with the bias corrections ``m̂ = m / (1 − β₁ᵗ)``,
    ``v̂ = v / (1 − β₂ᵗ)``.

    Parameters
    ----------
    learning_rate : float > 0, default 1e-3
    beta1, beta2 : float in [0, 1), defaults 0.9 and 0.999
    eps : float > 0, default 1e-8
    """

    def __init__(self, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.beta1 = check_in_range("beta1", beta1, 0, 1, high_open=True)
        self.beta2 = check_in_range("beta2", beta2, 0, 1, high_open=True)
        self.eps = check_positive("eps", eps)
        self._m, self._v, self.t = {}, {}, 0

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for k, g in grads.items():
            m = self._m.setdefault(k, np.zeros_like(params[k]))
            v = self._v.setdefault(k, np.zeros_like(params[k]))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            params[k] -= (self.learning_rate / c1) * m / (np.sqrt(v / c2) + self.eps)


def global_norm(grads):
    """Euclidean norm of all gradients taken together (accumulated in float64).

    ``nan`` if any entry is NaN, ``inf`` if any is infinite.
    """
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in
                             (np.asarray(g, dtype=np.float64) for g in grads.values()))))


def clip_grad_norm(grads, max_norm):
    """Rescale ``grads`` so that their global norm is at most ``max_norm``.

    A non-finite norm cannot be clipped (rescaling a NaN or an infinite
    gradient gives NaN): it raises ``FloatingPointError``.

    Returns
    -------
    clipped : dict of ndarray (new arrays; the input is not modified)
    norm : float
        The global norm before clipping.
    """
    max_norm = check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise FloatingPointError(f"the gradient norm is {norm}: a gradient holds NaN or inf "
                                 "and cannot be clipped")
    return _rescaled(grads, norm, max_norm), norm


def _rescaled(grads, norm, max_norm):
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}


def _batch(a, idx):
    return None if a is None else a[idx]


class _Diverged(Exception):
    """Raised inside :func:`train` with what went wrong; turned into FloatingPointError."""


def _check_finite(what, value):
    if not np.isfinite(value):
        raise _Diverged(f"{what} became {value}")


def _divergence_error(message, epoch, step, optimizer, clip, restored):
    lr = getattr(optimizer, "learning_rate", None)
    advice = [f"a smaller learning rate (now {lr:g})" if lr is not None else
              "a smaller learning rate",
              "gradient clipping (clip=1.0, say)" if clip is None else
              f"a smaller clip (now {clip:g})"]
    kept = ("the model keeps the parameters of the last step whose loss and gradients were "
            "finite" if restored else "the model's parameters were not updated")
    return FloatingPointError(
        f"training diverged at epoch {epoch}, after {step} updates: {message}; {kept}. Try "
        f"{' or '.join(advice)}")


def train(model, x, y, *, optimizer=None, mask=None, n_epochs=10, batch_size=32,
          clip=None, validation=None, patience=None, seed=None, progress=True,
          **gradient_options):
    """Minibatch training of a sequence model with early stopping.

    Each epoch shuffles the sequences (seeded), and for each minibatch calls
    ``model.gradient(x_b, y_b, mask=mask_b, **gradient_options)``, clips the
    gradient norm to ``clip`` if given, and takes one ``optimizer`` step.  With
    ``validation=(x_val, y_val[, mask_val])``, the validation loss is measured
    after every epoch; training stops after ``patience`` epochs without
    improvement and the best parameters are restored.

    Parameters
    ----------
    model : RNN, LSTM or MLP (anything with ``params``, ``gradient`` and ``loss_value``)
    x, y : arrays (B, T, D) and (B, T, O) (or (B, D) and (B, O) for an MLP)
    optimizer : SGD or Adam, default Adam()
    mask : array (B, T), optional
    n_epochs, batch_size : int
    clip : float, optional
        Maximum global gradient norm.
    validation : tuple, optional
    patience : int, optional
        Epochs without validation improvement before stopping (needs ``validation``).
    seed : None, int or Generator
        Shuffling order.
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    history : dict
        ``"loss"`` (mean training loss per epoch), ``"grad_norm"`` (per step, before
        clipping), ``"val_loss"`` (per epoch, if validation), ``"best_epoch"``.

    Raises
    ------
    FloatingPointError
        When training diverges: a minibatch loss, the gradient norm, a parameter
        after an update, the validation loss, or (without validation) the loss of
        the last minibatch after the last update is NaN or infinite.  The message
        names the epoch and step; the model is left with the parameters of the
        last step whose loss and gradients were finite.
    """
    n_epochs = check_positive_int("n_epochs", n_epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    check_bool("progress", progress)
    if clip is not None:
        check_positive("clip", clip)
    if patience is not None:
        check_nonnegative_int("patience", patience)
        if validation is None:
            raise ValueError("patience needs validation data, got validation=None")
    if validation is not None and len(validation) not in (2, 3):
        raise ValueError("validation must be (x_val, y_val) or (x_val, y_val, mask_val)")
    optimizer = Adam() if optimizer is None else optimizer
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must have a step(params, grads) method, got {optimizer!r}")
    x, y = np.asarray(x), np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must hold the same number of sequences, got {x.shape[0]} "
                         f"and {y.shape[0]}")
    if x.shape[0] == 0:
        raise ValueError(f"x must hold at least one sequence, got shape {x.shape}")
    mask = None if mask is None else np.asarray(mask)
    rng = as_generator(seed)
    n = x.shape[0]
    history = {"loss": [], "grad_norm": [], "val_loss": [], "best_epoch": None}
    best, best_params, waited = np.inf, None, 0
    # the parameters of the last step whose loss and gradients were finite
    last_good = {k: np.empty_like(v) for k, v in model.params.items()}
    have_good, step = False, 0
    bar = tqdm(range(n_epochs), disable=not progress, desc="train")
    try:
        for epoch in bar:
            order = rng.permutation(n)
            losses = []
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                loss, grads = model.gradient(x[idx], y[idx], mask=_batch(mask, idx),
                                             **gradient_options)
                _check_finite("the training loss", loss)
                norm = global_norm(grads)
                _check_finite("the gradient norm", norm)
                if clip is not None:
                    grads = _rescaled(grads, norm, clip)
                history["grad_norm"].append(norm)
                for k, v in model.params.items():
                    np.copyto(last_good[k], v)
                have_good = True
                optimizer.step(model.params, grads)
                for k, v in model.params.items():
                    if not np.all(np.isfinite(v)):
                        raise _Diverged(f"the update made parameter {k!r} non-finite")
                step += 1
                losses.append(loss)
            history["loss"].append(float(np.mean(losses)))
            if validation is not None:
                val = model.loss_value(*validation)
                _check_finite("the validation loss", val)
                history["val_loss"].append(val)
                bar.set_postfix(loss=history["loss"][-1], val=val)
                if val < best:
                    best, waited, history["best_epoch"] = val, 0, epoch
                    best_params = {k: v.copy() for k, v in model.params.items()}
                else:
                    waited += 1
                    if patience is not None and waited > patience:
                        break
            else:
                bar.set_postfix(loss=history["loss"][-1])
        if validation is None:
            # the last update has not been checked by any loss yet
            _check_finite("the training loss after the last update",
                          model.loss_value(x[idx], y[idx], _batch(mask, idx)))
    except _Diverged as err:
        if have_good:
            for k, v in last_good.items():
                model.params[k][...] = v
        raise _divergence_error(str(err), epoch, step, optimizer, clip, have_good) from None
    finally:
        bar.close()
    if best_params is not None:
        for k, v in best_params.items():
            model.params[k][...] = v
    return history
