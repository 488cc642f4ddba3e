"""DNWELL (DN.*), LVPWELL (LPW.*) and Nwell (NW.*) rules (design manual tables 11-13).

The equi-potential spaces DN.2a, LPW.2b and NW.2a ("merge if less") need net connectivity and
are not checked by the default DRC run; their values are what a layout uses to merge wells.
"""

from pdk.gf180mcu.rules.base import r

RULES = [
    r("DN.1", "Min. DNWELL width", 1.7),
    r("DN.2a", "Min. DNWELL space (equi-potential), merge if the space is less", 2.5),
    r("DN.2b", "Min. DNWELL space (different potential)", 5.42),
    r("DN.3", "Each DNWELL shall be directly surrounded by a PCOMP guard ring tied to the "
      "P-substrate potential"),
    r("LPW.1", "Min. LVPWELL width", 0.6, 0.74),
    r("LPW.2a", "Min. LVPWELL to LVPWELL space (inside DNWELL) [different potential]", 1.4, 1.7),
    r("LPW.2b", "Min. LVPWELL to LVPWELL space [equi-potential]", 0.86, 0.86),
    r("LPW.3", "Min. DNWELL enclose LVPWELL", 2.5, 2.5),
    r("LPW.5", "LVPWELL resistors must be enclosed by DNWELL"),
    r("LPW.11", "Min. (LVPWELL outside DNWELL) space to DNWELL", 1.5),
    r("LPW.12", "LVPWELL cannot overlap with Nwell"),
    r("NW.1a", "Min. Nwell width (litho, on the generated area)", 0.86, 0.86),
    r("NW.1b", "Min. Nwell width as a resistor (outside DNWELL only)", 2.0, 2.0),
    r("NW.2a", "Min. Nwell space (outside DNWELL) [equi-potential], merge if the space is less",
      0.6, 0.74),
    r("NW.2b", "Min. Nwell space (outside DNWELL) [different potential]", 1.4, 1.7),
    r("NW.3", "Min. Nwell to DNWELL space", 3.1, 3.1),
    r("NW.4", "Min. Nwell to LVPWELL space (no overlap)", 0.0, 0.0),
    r("NW.5", "Min. DNWELL enclose Nwell", 0.5, 0.5),
    r("NW.6", "Nwell resistors can only exist outside DNWELL"),
]
