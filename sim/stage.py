"""Stage entry point: simulation and metrics."""

from sgdr_flow.stage import StageContext, StageResult, not_implemented


def run(ctx: StageContext) -> StageResult:
    return not_implemented("simulation and metrics")
