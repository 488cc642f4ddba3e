"""Parametric GF180MCU analog cells, each with its reference schematic from the same parameters."""
