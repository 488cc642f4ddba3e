"""SAB (SB.*) rules (design manual table 19)."""

from pdk.gf180mcu.rules.base import r

RULES = [
    r("SB.1", "Min. SAB width", 0.42),
    r("SB.2", "Min. SAB space", 0.42),
    r("SB.3", "Min. space from SAB to unrelated COMP", 0.22),
    r("SB.4", "Min. space from SAB to contact", 0.15),
    r("SB.5a", "Min. space from SAB to unrelated Poly2 on field", 0.3),
    r("SB.5b", "Min. space from SAB to unrelated Poly2 on COMP", 0.28),
    r("SB.6", "Min. SAB extension beyond related COMP", 0.22),
    r("SB.7", "Min. COMP extension beyond related SAB", 0.22),
    r("SB.8", "Non-salicided contacts (contacts on SAB) are forbidden"),
    r("SB.9", "Min. SAB extension beyond unsalicided Poly2", 0.22),
    r("SB.10", "Min. Poly2 extension beyond related SAB", 0.22),
    r("SB.11", "Min. SAB overlap with COMP", 0.22),
    r("SB.12", "Min. SAB overlap with Poly2 outside ESD_MK", 0.22),
    r("SB.13", "Min. SAB area (um^2)", 2.0),
    r("SB.14a", "Min. space from unsalicided Nplus Poly2 to unsalicided Pplus Poly2 "
      "(square metric)", 0.56),
    r("SB.14b", "Min. space from unsalicided Nplus Poly2 to P-channel gate (square metric)", 0.56),
    r("SB.15a", "Min. space from unsalicided Poly2 to unrelated Nplus/Pplus", 0.18),
    r("SB.15b", "Min. space from unsalicided Poly2 to unrelated Nplus/Pplus along the Poly2 line",
      0.32),
    r("SB.16", "SAB is not allowed on core CMOS transistors (only under LVS_IO, OTP_MK, ESD_MK)"),
]
