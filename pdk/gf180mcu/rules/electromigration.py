"""Current limits of wires and vias against electromigration, for sizing the power grid.

ASSUMED values, not foundry data: the public GF180MCU design manual (docs/physical_verification/
design_manual, drm_*) has layout rules only, no current-density table. These are conservative
DC limits typical of 0.18 um aluminium back ends at 110 C (thin metal about 1 mA per um of
width, a 0.9 um thick top metal about twice that, a 0.26 um tungsten via about 0.2 mA), halved
for margin. Replace them with the numbers of the foundry's reliability manual before sign-off.
"""

THIN_METAL_MA_PER_UM = 0.5   # Metal1..Metal(n-1): DC current per um of line width
TOP_METAL_MA_PER_UM = 1.0    # the last metal (6K..11K); 30K is thicker, this stays on the safe side
VIA_MA = 0.1                 # DC current per via cut
SOURCE = ("assumed (the public design manual has no electromigration table): conservative "
          "0.18 um aluminium DC limits at 110 C, halved")
