"""Exit codes and the errors that map onto them, shared by every command."""

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    GATE_FAILED = 1
    BAD_INPUT = 2


class FlowError(Exception):
    """An error the user can act on; the CLI prints it without a traceback and exits 2."""

    exit_code = Exit.BAD_INPUT


class ConfigError(FlowError):
    """A flow.yaml problem, already formatted as `file:line: key: message` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems
