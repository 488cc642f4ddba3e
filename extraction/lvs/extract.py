"""Layout netlist extraction with klayout-pex's layer names (its `gf180mcuD` computed layers).

The derivations follow the foundry LVS deck for 3.3 V devices and MIM capacitors: NMOS bulks go
to the global substrate net, PMOS bulks to their n-well, so substrate and wells never merge.
Below six metals the stack's last metal is also read from MetalTop 53/0 (and its labels from
53/10), where the older foundry deck and its testcases draw it. Labels of the same name in the
top cell can be joined into one net, as the foundry deck's `connect_implicit` does.
Derived layers are named (registered) only after every boolean is done, since registering a
deep region that is later used as an operand can lose its name (and klayout-pex then skips it).
The stack's MIM bottom-plate level is always split into the metal around and under the top
plate (`metal4_n_cap`, `metal4_cap` on 5 metals, option B), also without a MIM: those are the
only names klayout-pex has for that metal. The MIM's device class is the PDK's name
(`cap_mim_2f0fF`): klayout-pex maps that class onto the foundry model
`cap_mim_2f0_m4m5_noshield` when it keeps MIMs as devices (`--blackbox`).
"""

from __future__ import annotations

import klayout.db as kdb

from pdk.gf180mcu.device_names import mim_class
from pdk.gf180mcu.devices import POLY_RESISTORS
from pdk.gf180mcu.layers import LABEL_OF, LAYERS, METALS_BY_LEVELS, VIAS_BY_LEVELS
from pdk.gf180mcu.rules.mim import bottom_plate_level
from pdk.gf180mcu.stack import MetalStack

SUBSTRATE = "SUB"
# Markers that take a gate out of the 3.3 V MOS devices (5 V/6 V, DNWELL, SAB, resistors).
MOS_EXCLUDE = ("dualgate", "v5_xtor", "dnwell", "sab", "res_mk")
TOP_METAL_ALIAS = "metaltop"  # read as the last metal of stacks below six levels


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

    def drawn(self, *names: str) -> kdb.Region:
        """Drawn layers (plus their dummy fill for metals) as one; empty if absent."""
        numbers = [n for name in names for n in (LAYERS[name], LAYERS.get(f"{name}_dummy"))]
        parts = [self.lvs.make_polygon_layer(self.index[n]) for n in numbers if n in self.index]
        if not parts:
            return self.lvs.make_layer()
        region = parts[0]
        for part in parts[1:]:
            region = region + part
        return region

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


def _top_alias(metals: tuple[str, ...]) -> tuple[str, ...]:
    return () if metals[-1] == TOP_METAL_ALIAS else (TOP_METAL_ALIAS,)


def extract(layout: kdb.Layout, cell: kdb.Cell, variant: MetalStack,
            joined_labels: tuple[str, ...] = ()) -> kdb.LayoutVsSchematic:
    """Extract devices and nets of `cell` (hierarchically); returns the LayoutVsSchematic.
    Nets of the top cell labelled with one of `joined_labels` become one net per label."""
    b = _Builder(layout, cell, variant)
    metals = METALS_BY_LEVELS[variant.metal_levels]
    vias = VIAS_BY_LEVELS[variant.metal_levels]
    g = {name: b.drawn(name) for name in (
        "comp", "nwell", "poly2", "nplus", "pplus", "contact", "fusetop", "cap_mk", "resistor",
        *MOS_EXCLUDE, *metals[:-1], *vias)}
    g[metals[-1]] = b.drawn(metals[-1], *_top_alias(metals))
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
    # the plate level is split (and named) as klayout-pex knows it whether or not this layout
    # holds a MIM: a layer it does not know (metal4_con) it leaves out without a word
    bottom = bottom_plate_level(variant.metal_levels, variant.mim_option)
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
    _poly_resistors(b, g, d["poly2_con"], sub)
    if has_mim:
        b.lvs.extract_devices(
            kdb.DeviceExtractorCapacitor(mim_class(variant.mim_cap_density),
                                         variant.mim_cap_density * 1e-15),
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
    comp_labels = b.labels(LABEL_OF["comp"])
    for diffusion in ("nsd", "psd", "ntap", "ptap"):
        b.join(d[diffusion], comp_labels)
    for n, name in enumerate(metals):
        for label in (name, *(_top_alias(metals) if n == len(metals) - 1 else ())):
            b.join(d[levels[n][0]], b.labels(LABEL_OF[label]))
    b.join(d["ptap"], d["ptap_regular"])
    b.lvs.connect(sub)
    b.lvs.connect_global(sub, SUBSTRATE)
    b.lvs.connect_global(d["ptap"], SUBSTRATE)
    for label in joined_labels:
        b.lvs.join_net_names(_glob_literal(label))
    b.lvs.extract_netlist()
    return b.lvs


def _poly_resistors(b: _Builder, g: dict[str, kdb.Region], heads: kdb.Region,
                    sub: kdb.Region) -> None:
    """Poly2 resistors as the foundry deck derives them: the body under RES_MK, contacted
    where Poly2 continues outside it, the substrate as bulk (W, L and R from the body)."""
    body = (g["poly2"] & g["res_mk"]) - g["dnwell"]
    if body.is_empty():
        return
    for device in POLY_RESISTORS:
        layer = body & g[device.implant]
        layer = (layer & g["sab"]).not_interacting(g["resistor"]) if device.unsalicided else (
            layer.not_interacting(g["sab"]))
        b.lvs.extract_devices(kdb.DeviceExtractorResistorWithBulk(device.name,
                                                                  device.sheet_ohm),
                              {"R": layer, "C": heads, "W": sub})


def _glob_literal(text: str) -> str:
    """A KLayout glob pattern that matches exactly `text`."""
    return "".join(f"\\{c}" if c in "*?[]{}\\" else c for c in text)
