"""Built-in GF180MCU LVS on klayout.db, writing an .lvsdb that klayout-pex reads as it is."""
