"""Orchestrator, CLI and report of the SGDr physical-design flow."""

__version__ = "0.1.0"
