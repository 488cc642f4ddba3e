"""PNG pictures of layouts, drawn by KLayout's own renderer with the PDK's layer colours."""

from __future__ import annotations

from pathlib import Path

from pdk.gf180mcu import LAYERS, layer_properties

OUTLINED = {LAYERS["pr_bndry"]}  # drawn as a frame: a filled boundary hides the layout
HOLLOW = 1                       # KLayout's built-in hollow dither pattern


def preview(gds: Path, png: Path, width: int = 1600, height: int | None = None) -> Path:
    """Render the top cell of `gds` (all hierarchy levels) to `png`; height follows the aspect."""
    import klayout.lay as lay

    view = lay.LayoutView()
    view.load_layout(str(gds), True)
    props = layer_properties()
    if props.is_file():
        view.load_layer_props(str(props))
    layers = view.begin_layers()
    while not layers.at_end():
        node = layers.current()
        if (node.source_layer, node.source_datatype) in OUTLINED:
            node.dither_pattern = HOLLOW
        layers.next()
    view.set_config("background-color", "#ffffff")
    view.max_hier()
    box = view.active_cellview().cell.dbbox()  # the view's own box is square until sized
    if height is None:
        aspect = box.height() / box.width() if box.width() else 1.0
        height = max(200, min(1600, int(width * aspect) + 80))
    view.resize(width, height)
    view.zoom_fit()
    png.parent.mkdir(parents=True, exist_ok=True)
    view.save_image(str(png), width, height)
    return png
