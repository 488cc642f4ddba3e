"""Layout netlist extraction with klayout-pex's layer names (its `gf180mcuD` computed layers).

The derivations follow the foundry LVS deck for 3.3 V devices and MIM capacitors: NMOS bulks go
to the global substrate net, PMOS bulks to their n-well, so substrate and wells never merge.
Derived layers are named (registered) only after every boolean is done, since registering a
deep region that is later used as an operand can lose its name (and klayout-pex then skips it).
"""

from __future__ import annotations

import klayout.db as kdb

from pdk.gf180mcu.devices import mim_device
from pdk.gf180mcu.layers import LABEL_OF, LAYERS, METALS_BY_LEVELS, VIAS_BY_LEVELS
from sgdr_flow.config import MetalStack

SUBSTRATE = "SUB"
# Markers that take a gate out of the 3.3 V MOS devices (5 V/6 V, DNWELL, SAB, resistors).
MOS_EXCLUDE = ("dualgate", "v5_xtor", "dnwell", "sab", "res_mk")


def mim_bottom_level(variant: MetalStack) -> int:
    """1-based metal level of the MIM bottom plate: Metal2 (A) or the last-but-one metal (B)."""
    return 2 if variant.mim_option == "A" else variant.metal_levels - 1


class _Builder:
    """Reads drawn layers of one cell into a LayoutVsSchematic and derives the LVS layers."""

    def __init__(self, layout: kdb.Layout, cell: kdb.Cell, variant: MetalStack):
        self.lvs = kdb.LayoutVsSchematic(kdb.RecursiveShapeIterator(layout, cell, []))
        # subcells with no connection to their parent (a block not yet wired) still count:
        # without this KLayout leaves them out of the parent and their devices go unchecked
        self.lvs.include_floating_subcircuits = True
        self.lvs.threads = 0  # in this thread: worker hand-overs only cost time here
        self.variant = variant
        self.index = {(i.layer, i.datatype): n for n, i in
                      ((n, layout.get_info(n)) for n in layout.layer_indexes())}
        self.named: dict[str, kdb.Region] = {}

    def drawn(self, name: str) -> kdb.Region:
        """A drawn layer (plus its dummy fill for metals); empty if absent from the layout."""
        parts = [self.lvs.make_polygon_layer(self.index[number])
                 for number in (LAYERS[name], LAYERS.get(f"{name}_dummy"))
                 if number in self.index]
        if not parts:
            return self.lvs.make_layer()
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]

    def labels(self, name: str) -> kdb.Texts:
        number = LAYERS[name]
        if number in self.index:
            return self.lvs.make_text_layer(self.index[number], name)
        return self.lvs.make_text_layer(name)

    def join(self, a: kdb.Region, b: kdb.Region | kdb.Texts) -> None:
        """Connect two layers and each with itself (the Python API does not do the latter)."""
        self.lvs.connect(a)
        if isinstance(b, kdb.Region):
            self.lvs.connect(b)
        self.lvs.connect(a, b)


def extract(layout: kdb.Layout, cell: kdb.Cell, variant: MetalStack) -> kdb.LayoutVsSchematic:
    """Extract devices and nets of `cell` (hierarchically); returns the LayoutVsSchematic."""
    b = _Builder(layout, cell, variant)
    metals = METALS_BY_LEVELS[variant.metal_levels]
    vias = VIAS_BY_LEVELS[variant.metal_levels]
    g = {name: b.drawn(name) for name in (
        "comp", "nwell", "poly2", "nplus", "pplus", "contact", "fusetop", "cap_mk",
        *MOS_EXCLUDE, *metals, *vias)}
    exclude = g[MOS_EXCLUDE[0]].dup()
    for name in MOS_EXCLUDE[1:]:
        exclude += g[name]

    d: dict[str, kdb.Region] = {}   # every region here gets registered under its key
    ncomp = g["comp"] & g["nplus"]
    pcomp = g["comp"] & g["pplus"]
    tgate = (g["poly2"] & g["comp"]) - g["res_mk"]
    ngate = g["nplus"] & tgate
    pgate = g["pplus"] & tgate
    d["nsd"] = ncomp.outside(g["nwell"]).interacting(ngate) - ngate - g["res_mk"]
    d["psd"] = (pcomp & g["nwell"]).interacting(pgate) - pgate - g["res_mk"]
    d["ntap"] = (ncomp & g["nwell"]) - g["res_mk"]
    d["ptap"] = pcomp.outside(g["nwell"]).outside(g["dnwell"]) - g["res_mk"]
    d["ptap_regular"] = d["ptap"].dup()
    d["nwell_con"] = g["nwell"] - g["res_mk"]
    d["poly2_con"] = g["poly2"] - g["res_mk"]
    d["ngate_3p3v"] = ngate.outside(g["nwell"]) - exclude
    d["pgate_3p3v"] = (pgate & g["nwell"]) - exclude
    taps = {"nsd": "nsd", "psd": "psd", "poly": "poly2_con", "ntap": "ntap", "ptap": "ptap"}
    for tag, base in taps.items():
        d[f"contact_{tag}_con"] = g["contact"] & d[base]

    fuse_cap = g["fusetop"].interacting(g["cap_mk"])
    has_mim = not fuse_cap.is_empty()
    bottom = mim_bottom_level(variant) if has_mim else 0
    levels: list[list[str]] = []   # registered names that make up each metal level
    for n, name in enumerate(metals, 1):
        if n == bottom:
            d[f"metal{n}_n_cap"] = g[name] - fuse_cap
            d[f"metal{n}_cap"] = g[name] & fuse_cap
            levels.append([f"metal{n}_n_cap", f"metal{n}_cap"])
        else:
            d[f"metal{n}_con"] = g[name].dup()
            levels.append([f"metal{n}_con"])
    d["via1"] = g[vias[0]].dup()
    for n, name in enumerate(vias[1:], 2):
        d[f"via{n}_n_cap"] = g[name] - g["fusetop"]
    if has_mim:
        d["fuse_cap"] = fuse_cap
        d["top_via_cap"] = g[vias[bottom - 1]] & g["fusetop"]

    for name, region in d.items():
        b.lvs.register(region, name)
    sub = b.lvs.make_layer("sub")

    b.lvs.extract_devices(kdb.DeviceExtractorMOS4Transistor("nfet_03v3"), {
        "SD": d["nsd"], "G": d["ngate_3p3v"], "P": d["poly2_con"], "W": sub,
        "tS": d["nsd"], "tD": d["nsd"], "tG": d["poly2_con"]})
    b.lvs.extract_devices(kdb.DeviceExtractorMOS4Transistor("pfet_03v3"), {
        "SD": d["psd"], "G": d["pgate_3p3v"], "P": d["poly2_con"], "W": d["nwell_con"],
        "tS": d["psd"], "tD": d["psd"], "tG": d["poly2_con"]})
    if has_mim:
        cap = mim_device(variant.mim_cap_density)
        b.lvs.extract_devices(
            kdb.DeviceExtractorCapacitor(cap.lvs_name, variant.mim_cap_density * 1e-15),
            {"P1": d[f"metal{bottom}_cap"], "P2": d["fuse_cap"]})

    b.join(d["nwell_con"], d["ntap"])
    for tag, base in taps.items():
        b.join(d[base], d[f"contact_{tag}_con"])
        b.join(d[f"contact_{tag}_con"], d[levels[0][0]])
    for parts in levels:
        for part in parts[1:]:
            b.join(d[parts[0]], d[part])
    for n in range(1, len(metals)):
        via = d["via1" if n == 1 else f"via{n}_n_cap"]
        for part in levels[n - 1] + levels[n]:
            b.join(d[part], via)
    if has_mim:
        b.join(d["fuse_cap"], d["top_via_cap"])
        b.join(d["top_via_cap"], d[levels[bottom][0]])
    b.join(d["poly2_con"], b.labels(LABEL_OF["poly2"]))
    for n, name in enumerate(metals):
        b.join(d[levels[n][0]], b.labels(LABEL_OF[name]))
    b.join(d["ptap"], d["ptap_regular"])
    b.lvs.connect(sub)
    b.lvs.connect_global(sub, SUBSTRATE)
    b.lvs.connect_global(d["ptap"], SUBSTRATE)
    b.lvs.extract_netlist()
    return b.lvs
