"""Parameter types of the cell builders. flow.yaml's cell parameters are checked against them
when it loads, so a size the layout could never draw stops the run at its `file:line: key`
instead of crashing the cells stage. Minimum sizes come from the design rules (through
`cells.tech`), never literals here; counts have an upper bound that keeps a layout buildable.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cells.tech import tech
from pdk.gf180mcu.rules.mim import AREA_CAP_FF_PER_UM2

GateLength = Annotated[float, Field(ge=tech().gate_min,
                                    description="gate length in um (PL.2 minimum)")]
DeviceWidth = Annotated[float, Field(ge=tech().finger_min,
                                     description="device width in um (a contacted COMP strip)")]
Capacitance = Annotated[float, Field(gt=0, description="capacitance in fF")]
Aspect = Annotated[float, Field(gt=0, description="width over length")]
Count = Annotated[int, Field(ge=1, le=64, description="a number of unit devices or fingers")]
MimDensity = Literal[tuple(AREA_CAP_FF_PER_UM2)]  # fF/um^2 of the MIM flavours
