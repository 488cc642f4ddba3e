"""Stage entry point: top-level assembly."""

from sgdr_flow.stage import StageContext, StageResult, not_implemented


def run(ctx: StageContext) -> StageResult:
    return not_implemented("top-level assembly")
