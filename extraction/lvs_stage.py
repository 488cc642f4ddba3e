"""Stage entry point: built-in LVS."""

from sgdr_flow.stage import StageContext, StageResult, not_implemented


def run(ctx: StageContext) -> StageResult:
    return not_implemented("built-in LVS")
