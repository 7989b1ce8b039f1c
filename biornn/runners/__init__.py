"""Experiment runners: one small function per experiment kind.

Each module registers its kinds with :func:`biornn.experiment.register`.  A
runner only wires package functions together (task -> model -> readout ->
metrics -> figures); models, tasks and metrics live in their own modules.
Model classes are imported inside the runners, so listing or validating
specs never imports Brian2 unless a spec needs a spiking model.
"""
