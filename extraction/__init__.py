"""Verification and extraction: DRC, LVS and parasitic extraction on klayout.db and klayout-pex."""
