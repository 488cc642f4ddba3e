"""Every registered cell at its default parameters and at flow.yaml's: DRC clean, LVS match,
devices as drawn, pins labelled and ported; the registry's parameter checking; build outputs."""

from __future__ import annotations

import inspect
from pathlib import Path

import klayout.db as kdb
import pytest
from pydantic import ValidationError

from cells.registry import CELLS, check_params, load_cells, params_model
from sgdr_flow.config import load_flow
from tests.cells.checks import assert_cell, build
from tests.conftest import REPO

EXPECTED = {"mos_device", "mim_capacitor", "matched_group", "current_mirror", "translinear_core",
            "translinear_loop", "gradient_core", "update_branch", "log_integrator",
            "sgdr_synapse", "bias_network"}


def test_registry_lists_the_library() -> None:
    assert set(load_cells()) >= EXPECTED


@pytest.mark.parametrize("cell", sorted(EXPECTED))
def test_cell_at_defaults(cell: str, tmp_path: Path) -> None:
    assert_cell(cell, {}, tmp_path)


def _flow_cells() -> list[tuple[str, str, dict]]:
    flow = load_flow(REPO / "flow.yaml")
    return [(name, spec.cell, spec.params) for name, spec in flow.config.design.cells.items()]


@pytest.mark.parametrize(("name", "cell", "params"), _flow_cells(),
                         ids=[n for n, _, _ in _flow_cells()])
def test_cell_at_flow_yaml_parameters(name: str, cell: str, params: dict,
                                      tmp_path: Path) -> None:
    variant = load_flow(REPO / "flow.yaml").config.pdk.variant
    assert_cell(cell, params, tmp_path, variant)


@pytest.mark.parametrize("cell", sorted(EXPECTED))
def test_layout_signature_is_the_circuit_signature_plus_variant_and_style(cell: str) -> None:
    spec = load_cells()[cell]
    circuit = list(inspect.signature(spec.circuit).parameters)
    layout = list(inspect.signature(spec.layout).parameters)
    assert layout == [*circuit, "variant", "guard_rings", "row_dummies"]
    assert spec.doc, f"{cell} has no docstring"


def test_unknown_cell_is_a_key_error_naming_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown cell 'nope'.*mos_device"):
        check_params("nope", {})


@pytest.mark.parametrize(("cell", "params", "match"), [
    ("mos_device", {"wdth": 2.0}, "wdth"),                       # misspelt parameter
    ("mos_device", {"kind": "nfet"}, "kind"),                    # not nmos/pmos
    ("mos_device", {"nf": "two"}, "nf"),
    ("matched_group", {"pattern": "checkerboard"}, "pattern"),
    ("current_mirror", {"cascode": "maybe"}, "cascode"),
    ("mim_capacitor", {"capacitance_ff": "big"}, "capacitance_ff"),
])
def test_bad_parameter_types_are_value_errors(cell: str, params: dict, match: str) -> None:
    load_cells()
    with pytest.raises(ValidationError, match=match) as info:
        check_params(cell, params)
    assert isinstance(info.value, ValueError)


def test_params_model_has_the_builders_defaults() -> None:
    load_cells()
    for name, spec in CELLS.items():
        model = params_model(name)
        for pname, param in inspect.signature(spec.circuit).parameters.items():
            assert model.model_fields[pname].default == param.default, (name, pname)


def test_build_cell_writes_gds_lvs_and_sim_netlists(tmp_path: Path) -> None:
    built = build("current_mirror", {"ratio": "1:2"}, tmp_path, name="mirror")
    assert built.gds == tmp_path / "mirror.gds" and built.gds.is_file()
    layout = kdb.Layout()
    layout.read(str(built.gds))
    assert [c.name for c in layout.top_cells()] == ["mirror"]
    lvs = built.lvs.read_text()
    assert ".SUBCKT mirror in out vss" in lvs and "nfet_03v3" in lvs
    sim = built.sim.read_text()
    assert ".SUBCKT mirror in out vss" in sim and "nmos_3p3" in sim
    info = built.summary()
    # three units and a dummy at each end of their row, in the schematic as in the layout
    assert info["mos"] == 5 and info["dummies"] == 2 and lvs.count("\nMDUMMY_") == 2
    assert info["mim"] == 0 and info["pins"] == ["in", "out", "vss"]
    assert [m["name"] for m in info["matching"]] == ["mirror"]
    assert info["area_um2"] == pytest.approx(info["width_um"] * info["height_um"], abs=0.01)


def test_build_is_deterministic(tmp_path: Path) -> None:
    """Same parameters, same bytes: the stage cache relies on it."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    a = build("translinear_loop", {}, first)
    b = build("translinear_loop", {}, second)
    assert a.gds.read_bytes() == b.gds.read_bytes()
    assert a.lvs.read_text() == b.lvs.read_text()
