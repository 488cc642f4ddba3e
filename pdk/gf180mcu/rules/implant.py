"""Nplus (NP.*) and Pplus (PP.*) rules (design manual tables 17-18).

The (i)/(ii) variants of NP.3b/3c/5c/5d and PP.3b/3c/5c/5d are rows of their own.
"""

from pdk.gf180mcu.rules.base import r

WELL_EDGE_BAND = 0.43    # "< 0.43 um from the well edge" selects the (i)/(ii) values
GATE_NEIGHBOURHOOD = 0.32  # NP.4b/NP.12/PP.4b/PP.12: "within 0.32 um of the channel"


def _implant(p: str, name: str, own: str, other: str) -> list:
    """Rows shared by Nplus (p="NP") and Pplus (p="PP"); own/other: "N"/"P" (COMP, channel)."""
    return [
        r(f"{p}.1", f"Min. {name} width", 0.4),
        r(f"{p}.2", f"Min. {name} space", 0.4),
        r(f"{p}.3d", f"Min./max. {name} space to a butted {other}COMP (no overlap)"),
        r(f"{p}.3e", f"{name} must not overlap the {other}COMP edge adjacent to a butting edge"),
        r(f"{p}.4a", f"Min. {name} space to a related {other}-channel gate at a butting "
          "edge parallel to the gate", 0.32),
        r(f"{p}.4b", f"Within {GATE_NEIGHBOURHOOD} um of the channel, min. {name} space to a "
          f"{other}-channel gate extension perpendicular to the Poly2", 0.22),
        r(f"{p}.5a", f"Min. {name} overlap of an {own}-channel gate", 0.23),
        r(f"{p}.6", f"Min. {name} overlap of {own}COMP butted to {other}COMP", 0.22),
        r(f"{p}.7", f"Min. {name} space to unrelated unsalicided Poly2", 0.18),
        r(f"{p}.8a", f"Min. {name} area (um^2)", 0.35),
        r(f"{p}.8b", f"Min. area enclosed by {name} (um^2)", 0.35),
        r(f"{p}.9", f"Min. {name} overlap of unsalicided Poly2", 0.18),
        r(f"{p}.10", f"Min. {name} overlap of unsalicided COMP", 0.18),
        r(f"{p}.11", f"Butting {name} and {other}COMP is forbidden within {WELL_EDGE_BAND} um of "
          "the Nwell edge (outside DNWELL) and of the LVPWELL edge (inside DNWELL)"),
        r(f"{p}.12", f"{name} overlap of an {other}-channel Poly2 gate extension is "
          f"forbidden within {GATE_NEIGHBOURHOOD} um of the gate"),
    ]


RULES = [
    *_implant("NP", "Nplus", "N", "P"),
    r("NP.3a", "Min. Nplus space to PCOMP inside Nwell, or outside LVPWELL inside DNWELL", 0.16),
    r("NP.3bi", "Min. Nplus space to PCOMP inside LVPWELL in DNWELL, PCOMP less than "
      f"{WELL_EDGE_BAND} um inside LVPWELL", 0.16),
    r("NP.3bii", "Min. Nplus space to PCOMP inside LVPWELL in DNWELL, PCOMP at least "
      f"{WELL_EDGE_BAND} um inside LVPWELL", 0.08),
    r("NP.3ci", "Min. Nplus space to PCOMP outside DNWELL, PCOMP less than "
      f"{WELL_EDGE_BAND} um from Nwell", 0.16),
    r("NP.3cii", "Min. Nplus space to PCOMP outside DNWELL, PCOMP at least "
      f"{WELL_EDGE_BAND} um from Nwell", 0.08),
    r("NP.5b", "Min. Nplus extension beyond COMP inside LVPWELL, or outside Nwell and DNWELL",
      0.16),
    r("NP.5ci", "Min. Nplus extension beyond COMP inside DNWELL, less than "
      f"{WELL_EDGE_BAND} um from the LVPWELL edge", 0.16),
    r("NP.5cii", "Min. Nplus extension beyond COMP inside DNWELL, at least "
      f"{WELL_EDGE_BAND} um from the LVPWELL edge", 0.02),
    r("NP.5di", "Min. Nplus extension beyond COMP in Nwell outside DNWELL, Nwell overlap of "
      f"Nplus less than {WELL_EDGE_BAND} um", 0.16),
    r("NP.5dii", "Min. Nplus extension beyond COMP in Nwell outside DNWELL, Nwell overlap of "
      f"Nplus at least {WELL_EDGE_BAND} um", 0.02),
    *_implant("PP", "Pplus", "P", "N"),
    r("PP.3a", "Min. Pplus space to NCOMP inside LVPWELL, or outside Nwell and DNWELL", 0.16),
    r("PP.3bi", "Min. Pplus space to NCOMP inside DNWELL, NCOMP at least "
      f"{WELL_EDGE_BAND} um from LVPWELL", 0.08),
    r("PP.3bii", "Min. Pplus space to NCOMP inside DNWELL, NCOMP less than "
      f"{WELL_EDGE_BAND} um from LVPWELL", 0.16),
    r("PP.3ci", "Min. Pplus space to NCOMP in Nwell outside DNWELL, Nwell overlap of NCOMP at "
      f"least {WELL_EDGE_BAND} um", 0.08),
    r("PP.3cii", "Min. Pplus space to NCOMP in Nwell outside DNWELL, Nwell overlap of NCOMP "
      f"less than {WELL_EDGE_BAND} um", 0.16),
    r("PP.5b", "Min. Pplus extension beyond COMP inside Nwell, or outside LVPWELL inside DNWELL",
      0.16),
    r("PP.5ci", "Min. Pplus extension beyond COMP of an LVPWELL tap in DNWELL, LVPWELL overlap "
      f"of Pplus at least {WELL_EDGE_BAND} um", 0.02),
    r("PP.5cii", "Min. Pplus extension beyond COMP of an LVPWELL tap in DNWELL, LVPWELL overlap "
      f"of Pplus less than {WELL_EDGE_BAND} um", 0.16),
    r("PP.5di", "Min. Pplus extension beyond COMP outside DNWELL, Pplus at least "
      f"{WELL_EDGE_BAND} um from Nwell", 0.02),
    r("PP.5dii", "Min. Pplus extension beyond COMP outside DNWELL, Pplus less than "
      f"{WELL_EDGE_BAND} um from Nwell", 0.16),
]
