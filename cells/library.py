"""Imports every cell module so that the registry knows them."""

from cells import devices, integrator, matched, mirror, synapse, translinear  # noqa: F401
