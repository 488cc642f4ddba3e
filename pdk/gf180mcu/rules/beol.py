"""Contact, metal, via and top-metal rules (design manual tables 21-25)."""

from pdk.gf180mcu.rules.base import r

WIDE_METAL = 10.0  # "wide" metal: length and width > 10 um (Mn.2b, MT.2b)
EOL_WIDTH = 0.34   # end-of-line rules apply to lines narrower than this
CO_EOL_BRANCH = 0.24   # CO.6a ignores Metal1 branches shorter than this
VIA_EOL_BRANCH = 0.28  # Vn.3c/Vn.4b ignore metal branches shorter than this (via table note 1)
ONE_SIDE_OVERLAP = 0.04  # CO.6b/Vn.3d/Vn.4c: a cut side overlapped by less is a "short" side
ARRAY_SIDE = 4  # CO.2b/Vn.2b: arrays of ARRAY_SIDE x ARRAY_SIDE cuts or more
CO_ARRAY_JOIN = 0.16   # contacts less than twice this apart belong to one array
VIA_ARRAY_JOIN = 0.20  # vias less than twice this apart belong to one array


def _metal(n: int) -> list:
    width = 0.23 if n == 1 else 0.28
    return [
        r(f"M{n}.1", f"Min. Metal{n} width", width),
        r(f"M{n}.2a", f"Min. Metal{n} space", width),
        r(f"M{n}.2b", f"Min. space to wide Metal{n} (length and width > 10 um)", 0.30),
        r(f"M{n}.3", f"Min. Metal{n} area (um^2)", 0.1444),
        r(f"M{n}.4", f"Metal{n} coverage over the entire die shall be > 30 %", 30.0),
    ]


def _via(n: int) -> list:
    upper = "MetalTop" if n == 5 else f"Metal{n + 1}"
    return [
        r(f"V{n}.1", f"Min./max. Via{n} size", 0.26),
        r(f"V{n}.2a", f"Min. Via{n} space", 0.26),
        r(f"V{n}.2b", f"Min. Via{n} space in 4x4 or larger via arrays", 0.36),
        # Vn.3: 0.00 for Via1 (no part outside Metal1), 0.01 above; the deck's IDs V1.3a/Vn.3b
        r(f"V{n}.3{'a' if n == 1 else 'b'}", f"Min. Metal{n} overlap of Via{n}",
          0.0 if n == 1 else 0.01),
        r(f"V{n}.3c", f"Min. Metal{n} (< 0.34 um wide) end-of-line overlap of Via{n}", 0.06),
        r(f"V{n}.3d", f"If Metal{n} overlaps Via{n} by < 0.04 um on one side, the adjacent "
          f"Metal{n} edges must overlap it by 0.06 um", 0.06),
        r(f"V{n}.4a", f"Min. {upper} overlap of Via{n}", 0.01),
        r(f"V{n}.4b", f"Min. {upper} (< 0.34 um wide) end-of-line overlap of Via{n}", 0.06),
        r(f"V{n}.4c", f"If {upper} overlaps Via{n} by < 0.04 um on one side, the adjacent "
          f"{upper} edges must overlap it by 0.06 um", 0.06),
    ]


RULES = [
    r("CO.1", "Min./max. contact size", 0.22),
    r("CO.2a", "Min. contact space", 0.25),
    r("CO.2b", "Min. contact space in 4x4 or larger contact arrays", 0.28),
    r("CO.3", "Min. Poly2 overlap of contact", 0.07),
    r("CO.4", "Min. COMP overlap of contact", 0.07),
    r("CO.5a", "Min. Nplus overlap of contact on COMP (butted N+/P+ COMP only)", 0.10),
    r("CO.5b", "Min. Pplus overlap of contact on COMP (butted N+/P+ COMP only)", 0.10),
    r("CO.6", "Min. Metal1 overlap of contact", 0.005),
    r("CO.6a", "Min. Metal1 (< 0.34 um wide) end-of-line overlap of contact", 0.06),
    r("CO.6b", "If Metal1 overlaps contact by < 0.04 um on one side, the adjacent Metal1 edges "
      "must overlap it by 0.06 um", 0.06),
    r("CO.7", "Min. space from COMP contact to Poly2 on COMP", 0.15),
    r("CO.8", "Min. space from Poly2 contact to COMP", 0.17),
    r("CO.9", "Contact on NCOMP/PCOMP butting edge is not allowed"),
    r("CO.10", "Contact on Poly2 gate over COMP is not allowed"),
    r("CO.11", "Contact on field oxide is not allowed"),
    *(rule for n in range(1, 6) for rule in _metal(n)),
    *(rule for n in range(1, 6) for rule in _via(n)),
    r("MT.1", "Min. MetalTop width", t6K=0.36, t9K=0.44, t11K=0.44),
    r("MT.2a", "Min. MetalTop space", t6K=0.38, t9K=0.46, t11K=0.46),
    r("MT.2b", "Min. space to wide MetalTop (length and width > 10 um)",
      t6K=0.50, t9K=0.60, t11K=0.60),
    r("MT.3", "MetalTop coverage over the entire die shall be > 30 %", 30.0),
    r("MT.4", "Min. MetalTop area (um^2)", 0.5625),
    r("MT30.1a", "Min. thick MetalTop width", 1.8),
    r("MT30.1b", "Min. thick MetalTop width for lines > 1000 um long", 2.2),
    r("MT30.2", "Min. thick MetalTop space", 1.8),
    r("MT30.3", "Thick MetalTop corner-to-corner separation", 1.8),
    r("MT30.4", "Thick MetalTop single line to any-angle line separation", 1.8),
    r("MT30.5", "Min. thick MetalTop overlap of the top via (no via outside)", 0.12),
    r("MT30.6", "Min. thick MetalTop (< 2.5 um wide) end-of-line overlap of the top via", 0.25),
    r("MT30.7", "Thick MetalTop coverage over the entire die shall be > 30 %", 30.0),
    r("MT30.8", "At least a 2x2 array of top vias where a via connects to thick MetalTop"),
]

THICK_EOL_WIDTH = 2.5     # MT30.6 applies to the ends of thick MetalTop lines narrower than this
TOP_VIA_ARRAY_JOIN = 1.0  # MT30.8: top vias at most twice this apart form one via array
