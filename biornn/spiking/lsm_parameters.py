"""The liquid's parameters: units, presets (``models/*.toml``) and cells.

The defaults live in code, in the frozen parameter classes of each part
(:class:`~biornn.spiking.neurons.LIFParameters`,
:class:`~biornn.spiking.synapses.SynapseParameters`,
:class:`~biornn.spiking.connectivity.ConnectivityParameters`,
:class:`~biornn.spiking.connectivity.InputParameters`) and in the signature of
:class:`~biornn.spiking.lsm.LiquidStateMachine`.  A preset is a TOML file read
through :func:`biornn.specs.model_path`; its quantities stay strings until the
parameter classes check them against the declared units.
"""

from __future__ import annotations

import tomllib

from ..specs import model_path
from .connectivity import ConnectivityParameters, InputParameters
from .neurons import CELLS, LIFParameters, NeuronModel
from .synapses import SynapseParameters

__all__ = ["parameter_units", "read_preset", "resolve_cell", "neuron_parameters",
           "preset_arguments", "SCALAR_UNITS"]

#: Units of the liquid's scalar parameters (the tables have their own, see
#: :func:`parameter_units`).
SCALAR_UNITS = {"length_constant": "1", "inhibitory_fraction": "1", "dt": "s",
                "sample_interval": "s", "tau_filter": "s"}


def parameter_units(cell="lif") -> dict:
    """Declared unit of every physical parameter of the liquid, as a nested dict.

    ``{"dt": "s", ..., "neuron": {"tau_m": "s", "R_m": "ohm", ...}, "synapses":
    {"parameter_spread": "1", "EE": {"U": "1", "D": "s", ...}, ...}, "input": {...},
    "connectivity": {...}}``; ``"1"`` marks a dimensionless number.  ``cell`` picks
    the neuron table (``"adaptive_lif"`` adds ``tau_w``, ``b``).  For spec
    validation: a value's dimension must match (:func:`biornn._validate.to_si`).
    """
    return {**SCALAR_UNITS, "neuron": resolve_cell(cell)[0].parameters.units(),
            "synapses": SynapseParameters.units(), "input": InputParameters.units(),
            "connectivity": ConnectivityParameters.units()}


def read_preset(name) -> tuple[dict, str]:
    """Raw TOML of a model preset (quantities still strings, checked by the classes)."""
    path = model_path(name)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), str(path)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: malformed TOML: {exc}") from None


def resolve_cell(cell):
    """``(NeuronModel, preset neuron table or None)`` for a cell given by name or object."""
    if isinstance(cell, NeuronModel):
        return cell, None
    if not isinstance(cell, str):
        raise TypeError(f"cell must be a name ({sorted(CELLS)} or a model file) or a "
                        f"NeuronModel, got {type(cell).__name__}")
    if cell in CELLS:
        return CELLS[cell], None
    raw, path = read_preset(cell)
    family = raw.get("model", {}).get("cell")
    if family not in CELLS:
        raise ValueError(f"cell {cell!r}: {path} is not a cell model: its [model] table "
                         f"must name cell = one of {sorted(CELLS)}, got {family!r}")
    return CELLS[family], (raw.get("neuron", {}), path)


def neuron_parameters(model, neuron, preset):
    """The cell's parameter set: class defaults, then the cell file, then ``neuron``."""
    cls = model.parameters
    base = cls()
    if preset is not None:
        table, path = preset
        base = cls.from_mapping(table, name=f"{path}: neuron")
    if isinstance(neuron, cls):
        return neuron
    if isinstance(neuron, LIFParameters):  # e.g. the LIF default with the adaptive cell
        neuron = dict(neuron)
    return cls.from_mapping(neuron, name="neuron", base=base)


_TABLES = {"connectivity": ConnectivityParameters, "neuron": LIFParameters,
           "synapses": SynapseParameters, "input": InputParameters}


def preset_arguments(name, overrides) -> dict:
    """Keyword arguments of ``LiquidStateMachine`` for the preset ``name`` with
    ``overrides`` (table keywords given as dicts override single entries)."""
    raw, path = read_preset(name)
    geo = raw.get("geometry", {})
    kwargs = {**{k: geo[k] for k in ("length_constant", "inhibitory_fraction") if k in geo},
              **raw.get("simulation", {})}
    if "shape" in geo:
        kwargs["shape"] = tuple(geo["shape"])
    if "cell" in raw.get("model", {}):
        kwargs["cell"] = raw["model"]["cell"]
    kwargs.update({k: v for k, v in overrides.items() if k not in _TABLES})
    cell, cell_preset = resolve_cell(kwargs.get("cell", "lif"))
    try:
        for key, pcls in _TABLES.items():
            if key == "neuron":
                base = neuron_parameters(cell, raw.get("neuron", {}), cell_preset)
            else:
                base = pcls.from_mapping(raw.get(key, {}), name=key)
            kwargs[key] = base
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{path}: {exc}") from None
    for key, pcls in _TABLES.items():
        if key in overrides:
            value = overrides[key]
            if key == "neuron" and isinstance(value, dict):
                kwargs[key] = type(kwargs[key]).from_mapping(value, name=key,
                                                             base=kwargs[key])
            elif isinstance(value, dict):
                kwargs[key] = pcls.from_mapping(value, name=key, base=kwargs[key])
            else:
                kwargs[key] = value
    return kwargs
