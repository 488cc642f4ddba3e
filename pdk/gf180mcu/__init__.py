"""GF180MCU technology adapter: layers, design rules, devices and simulation models."""

from pdk.gf180mcu.devices import DEVICES, Device, device, mim_device
from pdk.gf180mcu.layers import LAYERS, METALS_BY_LEVELS, VIAS_BY_LEVELS, layer
from pdk.gf180mcu.models import CORNERS, layer_properties, model_deck, model_dir

__all__ = [
    "CORNERS",
    "DEVICES",
    "LAYERS",
    "METALS_BY_LEVELS",
    "VIAS_BY_LEVELS",
    "Device",
    "device",
    "layer",
    "layer_properties",
    "mim_device",
    "model_deck",
    "model_dir",
]
