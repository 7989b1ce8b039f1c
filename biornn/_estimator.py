"""scikit-learn style estimator plumbing shared by the readouts (no scikit-learn import).

:class:`Estimator` reads parameters from ``__init__``'s signature
(``get_params``/``set_params``, ``repr``, input checks); :func:`clone` makes an
unfitted copy; :class:`NotFittedError` and :class:`GridEdgeWarning` are what the
readouts raise and warn.  The public names are re-exported by
:mod:`biornn.readout`, where users import them, and carry that module's name.
"""

from __future__ import annotations

import copy
import inspect
import sys

import numpy as np

from ._validate import as_float_array

__all__ = ["Estimator", "NotFittedError", "not_fitted_error", "GridEdgeWarning", "clone",
           "r2_score"]

_PUBLIC_MODULE = "biornn.readout"


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before it was fitted.

    Subclasses both ``ValueError`` and ``AttributeError``, as scikit-learn's
    exception of the same name does.  When scikit-learn is already imported the
    error raised is also an instance of scikit-learn's own class, so its tools
    (``check_estimator``, ``check_is_fitted`` callers) recognise it; biornn never
    imports scikit-learn itself.
    """


_SKLEARN_FLAVOURS: dict = {}


def not_fitted_error(message):
    """The :class:`NotFittedError` to raise (scikit-learn's flavour when it is loaded)."""
    sk = sys.modules.get("sklearn.exceptions")
    sk_cls = getattr(sk, "NotFittedError", None)
    if not (isinstance(sk_cls, type) and issubclass(sk_cls, Exception)):
        return NotFittedError(message)
    cls = _SKLEARN_FLAVOURS.get(sk_cls)
    if cls is None:
        cls = _SKLEARN_FLAVOURS[sk_cls] = type("NotFittedError", (NotFittedError, sk_cls),
                                               {"__module__": _PUBLIC_MODULE})
    return cls(message)


class GridEdgeWarning(UserWarning):
    """The cross-validated alpha is the smallest or largest of its grid.

    The best value may lie outside the grid: extend it on that side.
    """


def clone(estimator):
    """A new, unfitted estimator with the same parameters (scikit-learn's ``clone``).

    Built from ``get_params(deep=False)`` (parameters deep-copied, nested
    estimators cloned); an object without ``get_params`` is deep-copied.
    """
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        return copy.deepcopy(estimator)
    params = {k: clone(v) if hasattr(v, "get_params") and not isinstance(v, type)
              else copy.deepcopy(v) for k, v in estimator.get_params(deep=False).items()}
    return type(estimator)(**params)


def r2_score(Y, P):
    """Coefficient of determination ``1 - SS_res / SS_tot`` per output column of
    ``Y`` (samples, outputs), averaged uniformly; a constant target scores 1 when
    matched exactly, else 0."""
    ss_res = np.sum((Y - P) ** 2, axis=0)
    ss_tot = np.sum((Y - Y.mean(axis=0)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / ss_tot, np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(r2))


class Estimator:
    """scikit-learn style parameter handling, read from ``__init__``'s signature."""

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values()
                if p.name != "self" and p.kind != p.VAR_KEYWORD]

    def get_params(self, deep=True):
        """Return the constructor parameters as a dict."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor parameters; unknown names raise ``ValueError``."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}; "
                                 f"valid parameters: {valid}")
            setattr(self, key, value)
        return self

    def __sklearn_tags__(self):
        """Estimator tags, for scikit-learn's tools (only called when it is installed)."""
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        classifier = self._estimator_type == "classifier"
        return Tags(estimator_type=self._estimator_type,
                    target_tags=TargetTags(required=True, multi_output=not classifier,
                                           single_output=True),
                    classifier_tags=ClassifierTags(multi_label=False) if classifier else None,
                    regressor_tags=None if classifier else RegressorTags())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params(deep=False).items())
        return f"{type(self).__name__}({args})"

    def _check_fitted(self):
        if not hasattr(self, "n_features_in_"):
            raise not_fitted_error(f"this {type(self).__name__} is not fitted yet; call fit first")

    def _check_X(self, X, name="X", dtype=np.float64):
        X = as_float_array(name, X, dtype=dtype)
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-d (samples, features), got shape {X.shape}. "
                             "Reshape your data: X.reshape(-1, 1) for a single feature or "
                             "X.reshape(1, -1) for a single sample")
        if X.shape[0] == 0:
            raise ValueError(f"{name} has 0 samples (shape={X.shape}) while a minimum of 1 "
                             "is required")
        if X.shape[1] == 0:
            raise ValueError(f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 "
                             "is required.")
        if hasattr(self, "n_features_in_") and X.shape[1] != self.n_features_in_:
            raise ValueError(f"{name} has {X.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input")
        return X

    def _check_y_given(self, y):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None")



for _public in (NotFittedError, GridEdgeWarning, clone):
    _public.__module__ = _PUBLIC_MODULE
