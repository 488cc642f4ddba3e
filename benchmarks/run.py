"""Run every benchmark script in this folder (`make bench`), each in its own process.

    python benchmarks/run.py [--quick] [NAME ...]

Each script is `benchmarks/<name>.py` with a `main(argv)`; --quick passes small sizes so the
whole set finishes in about a minute. FOUNDRY_DRC=/path/to/gf180mcu.drc (the foundry's KLayout
deck, not part of this repository) adds the foundry comparisons. Exit status: the first
non-zero status of a script.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {"chopping": ["--samples", "2", "--scale", "1", "--chop-hz", "2e4"],
         "drc_lvs": ["--nx", "5", "--ny", "5", "--repeat", "1"],
         "drc_synapse_array": ["--synapses", "8", "--repeat", "1"],
         "flow_stages": ["--upto", "pex"],
         "flow_scale": ["--sizes", "4", "--lvs-sizes", "16", "--samples", "20"],
         "sensitivity": ["--draws", "1"],
         "tl_sizing": ["--sizes", "8x2", "--samples", "2"]}
# extra arguments from the environment, e.g. FOUNDRY_DRC=/path/gf180mcu.drc make bench
FOUNDRY = ("drc_lvs", "drc_synapse_array", "pattern_xcheck")


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name
                  and not p.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes")
    args = parser.parse_args(argv)
    found = {p.stem: p for p in scripts()}
    unknown = sorted(set(args.names) - set(found))
    if unknown:
        print(f"no benchmark {', '.join(unknown)} (have: {', '.join(found)})", file=sys.stderr)
        return 2
    status = 0
    for name in args.names or list(found):
        extra = QUICK.get(name, []) if args.quick else []
        deck = os.environ.get("FOUNDRY_DRC")
        if deck and name in FOUNDRY:
            extra = [*extra, "--foundry-drc", deck]
        print(f"== {name} {' '.join(extra)}".rstrip(), flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(found[name]), *extra])
        print(f"== {name}: exit {code} after {time.monotonic() - started:.1f} s", flush=True)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
