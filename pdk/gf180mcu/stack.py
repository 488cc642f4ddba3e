"""The GF180MCU metal-stack option: how many metals, the top metal's thickness and the MIM's
place and density. Every rule and device choice of the flow follows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class MetalStack(BaseModel):
    """GF180MCU metal-stack option; every rule and device choice follows it."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    metal_levels: Literal[3, 4, 5, 6] = Field(
        5, description="metal layers; the last one obeys the MetalTop rules")
    top_metal_thickness: Literal["6K", "9K", "11K", "30K"] = Field(
        "9K", description="MetalTop thickness in kilo-angstrom")
    mim_option: Literal["A", "B"] = Field(
        "B", description="A: MIM on Metal2 under Metal3; B: MIM on the last-but-one metal")
    mim_cap_density: Literal[1.0, 1.5, 2.0] = Field(
        2.0, description="MIM capacitance per area in fF/um^2")

    @model_validator(mode="after")
    def _mim_b_needs_four_metals(self) -> MetalStack:
        if self.mim_option == "B" and self.metal_levels < 4:
            raise ValueError("MIM option B needs at least 4 metal levels")
        return self
