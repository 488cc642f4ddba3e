"""Simulation: ngspice testbenches through PySpice, the golden SGDr model and the metrics."""
