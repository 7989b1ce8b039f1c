"""What an echo state network saves and how it is rebuilt (:func:`biornn.io.save` /
:func:`biornn.io.load`; npz arrays + JSON parameters, no pickle).

Saved: the constructor's parameters, ``W`` (dense, or its CSR arrays), ``b``,
``W_in``, ``W_fb``, the current state and last output, the states of the generators
that draw weights not drawn yet and the training noise (so a loaded network goes on
exactly as the saved one would), and the trained readout.
"""

from __future__ import annotations

import scipy.sparse as sp

from .._validate import check_positive_int
from ..io import Array, Saved, maybe, saveable_class
from ..readout import clone

__all__ = ["SavedESN"]


class SavedESN:
    """``_get_state`` / ``_from_state`` and the ``_SAVED`` declaration of
    :class:`biornn.rate.esn.EchoStateNetwork` (a mixin)."""

    _PARAMS = ("n_units", "spectral_radius", "leak_rate", "input_scaling", "density",
               "topology", "bias_scaling", "feedback_scaling", "noise", "include_input")
    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_units": check_positive_int, "n_outputs_": maybe(check_positive_int),
              "W": Array(("n_units", "n_units"), optional=True),
              "W_data": Array(("nnz",), optional=True),
              "W_indices": Array(("nnz",), kind="iu", below="n_units", optional=True),
              "W_indptr": Array(("n_units+1",), kind="iu", below="nnz+1", optional=True),
              "b": Array(("n_units",)), "W_in": Array(("n_units", None), optional=True),
              "W_fb": Array(("n_units", "n_outputs_"), optional=True),
              "state_": Array(("n_units",), optional=True),
              "last_output_": Array(("n_outputs_",), optional=True),
              "readout": Saved("readout.", optional=True)}

    def _get_state(self):
        params = {k: getattr(self, k) for k in self._PARAMS}
        params["dtype"] = str(self.dtype)
        params["seed"] = self.seed if isinstance(self.seed, (int, type(None))) else None
        # generator states, so weights not drawn yet and training noise come out the same
        params["rng_in"] = self._rng_in.bit_generator.state
        params["rng_fb"] = self._rng_fb.bit_generator.state
        params["noise_seed"] = self._noise_seed
        arrays = {"b": self.b}
        if sp.issparse(self.W):
            W = self.W.tocsr()
            arrays.update(W_data=W.data, W_indices=W.indices, W_indptr=W.indptr)
        else:
            arrays["W"] = self.W
        for name in ("W_in", "W_fb", "state_", "last_output_"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        if hasattr(self, "readout_"):
            r_params, r_arrays = self.readout_._get_state()
            params["readout"] = {"class": type(self.readout_).__name__, "params": r_params}
            params["n_outputs_"] = self.n_outputs_
            arrays.update({f"readout.{k}": v for k, v in r_arrays.items()})
        return params, arrays

    @classmethod
    def _from_state(cls, params, arrays):
        kw = {k: params[k] for k in cls._PARAMS if k != "n_units"}
        from .esn import EchoStateNetwork

        obj = cls.__new__(cls)
        # W for one unit is drawn here and replaced by the saved one below.
        EchoStateNetwork.__init__(obj, 1, dtype=params["dtype"], **kw)
        obj.n_units, obj.seed = params["n_units"], params["seed"]
        obj._params.update(n_units=obj.n_units, seed=obj.seed)
        obj._rng_in.bit_generator.state = params["rng_in"]
        obj._rng_fb.bit_generator.state = params["rng_fb"]
        obj._noise_seed = params["noise_seed"]
        if "W" in arrays:
            obj.W = arrays["W"]
        else:
            n = params["n_units"]
            obj.W = sp.csr_matrix((arrays["W_data"], arrays["W_indices"], arrays["W_indptr"]),
                                  shape=(n, n))
        obj.b = arrays["b"]
        for name in ("W_in", "W_fb", "state_", "last_output_"):
            setattr(obj, name, arrays.get(name))
        if "readout" in params:
            rcls = saveable_class(params["readout"]["class"])
            r_arrays = {k[len("readout."):]: v for k, v in arrays.items()
                        if k.startswith("readout.")}
            obj.readout_ = rcls._from_state(params["readout"]["params"], r_arrays)
            obj.readout = obj._params["readout"] = clone(obj.readout_)
            obj.n_outputs_ = params["n_outputs_"]
        return obj
