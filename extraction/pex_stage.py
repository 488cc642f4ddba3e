"""Stage entry point: parasitic extraction."""

from sgdr_flow.stage import StageContext, StageResult, not_implemented


def run(ctx: StageContext) -> StageResult:
    return not_implemented("parasitic extraction")
