"""Top-level assembly: the learning array's GDS and its schematic."""
