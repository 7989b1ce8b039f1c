"""Spiking and biophysical models in Brian2.

This is the only subpackage that imports ``brian2``; ``import biornn`` does not
import it, so the rate half works without compiling anything.
"""
