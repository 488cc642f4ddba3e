"""Built-in GF180MCU design-rule check on klayout.db, rules named by design-manual ID."""
