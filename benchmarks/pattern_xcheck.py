"""Cross-check of the built-in deck against a foundry deck on our own pass/fail DRC patterns.

    python benchmarks/pattern_xcheck.py [--foundry-drc path/to/gf180mcu.drc] [--json OUT]

Every hand-made pattern of tests/extraction/drc for the default variant (5LM, 9K, MIM B),
except the whole-die density rules, is placed as a cell of its own in one GDS, 60 um apart.
Both decks run once on that GDS; each marker is attributed to the pattern it lies in. For each
pattern the script compares the verdict of the pattern's own rule: our deck must flag the
failing pattern and not the passing one; a rule where the foundry deck decides otherwise is
listed with the pattern's location.
Without --foundry-drc only our deck runs (timing and a self-check).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import klayout.db as kdb

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extraction.drc.engine import run_drc  # noqa: E402
from pdk.gf180mcu.stack import MetalStack  # noqa: E402
from sgdr_flow.config import ExternalDeck  # noqa: E402

GAP_UM = 60.0
ROW_UM = 3000.0
TOP = "XCHECK"
# foundry output names carry a voltage domain and connectivity suffix: DF.1a_3.3V, NW.2b_5V_
SUFFIX = re.compile(r"_(3\.3V|5V|6V)?_?$")


def rule_id(name: str) -> str:
    return SUFFIX.sub("", name)


def build(out: Path, variant: MetalStack) -> tuple[Path, list[tuple[object, str, kdb.DBox]]]:
    from extraction.drc.deck import DENSITY
    from tests.extraction.drc.patterns import insert
    from tests.extraction.drc.test_deck_coverage import all_cases

    layout = kdb.Layout()
    layout.dbu = 0.001
    top = layout.create_cell(TOP)
    slots = []
    x = y = row = 0.0
    # whole-die density rules are left out: their patterns mean nothing side by side
    cases = [c for c in all_cases() if c.variant == variant and not DENSITY.match(c.rule)]
    for number, case in enumerate(cases):
        for kind, shapes in (("pass", case.passing), ("fail", case.failing)):
            cell = layout.create_cell(f"P{number}_{kind}")
            insert(shapes, cell)
            box = cell.dbbox()
            if box.empty():
                continue
            if x + box.width() > ROW_UM:
                x, y, row = 0.0, y + row + GAP_UM, 0.0
            # whole grid steps, so that off-grid patterns stay off grid and the others on it
            dx = round((x - box.left) / 0.005) * 0.005
            dy = round((y - box.bottom) / 0.005) * 0.005
            top.insert(kdb.DCellInstArray(cell.cell_index(), kdb.DTrans(kdb.DVector(dx, dy))))
            slots.append((case, kind, box.moved(kdb.DVector(dx, dy))))
            x += box.width() + GAP_UM
            row = max(row, box.height())
    out.mkdir(parents=True, exist_ok=True)
    gds = out / "patterns.gds"
    options = kdb.SaveLayoutOptions()
    options.write_context_info = False  # readable by KLayout 0.28 applications too
    layout.write(str(gds), options)
    return gds, slots


def attribute(violations, slots) -> dict[int, set[str]]:
    """Pattern index -> rule IDs with a marker inside that pattern's area."""
    found: dict[int, set[str]] = {}
    for item in violations:
        center = kdb.DBox(*item["bbox"]).center()
        for index, (_, _, box) in enumerate(slots):
            if box.enlarged(GAP_UM / 2, GAP_UM / 2).contains(center):
                found.setdefault(index, set()).add(rule_id(item["rule"]))
                break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "xcheck")
    parser.add_argument("--foundry-drc", type=Path, metavar="DECK")
    parser.add_argument("--klayout", default="klayout")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    variant = MetalStack()
    gds, slots = build(args.out, variant)
    ours = run_drc(gds, TOP, variant, deep=None)
    flagged_ours = attribute(ours.as_json()["violations"], slots)
    own_miss = [(c.id, kind) for i, (c, kind, _) in enumerate(slots)
                if (c.rule in flagged_ours.get(i, set())) != (kind == "fail")]
    print(f"{len(slots)} patterns ({len({c.rule for c, _, _ in slots})} rules) in {gds}; "
          f"ours ({ours.mode}): {ours.seconds:.2f} s, {len(own_miss)} patterns not as expected")
    rows = []
    if args.foundry_drc:
        from extraction.external import read_lyrdb, run_external_drc

        # flat: KLayout 0.28.5 crashed (SIGSEGV) in deep mode on this many small cells, and
        # flat took 5 s where deep took 240 s
        spec = ExternalDeck(klayout=Path(args.klayout), deck=args.foundry_drc,
                            variables={"thr": "1", "run_mode": "flat"})
        theirs = run_external_drc(spec, gds, TOP, variant, report=args.out / "foundry.lyrdb",
                                  timeout=args.timeout)
        data = read_lyrdb(theirs.report)
        flagged_theirs = attribute(data["violations"], slots)
        known = {rule_id(r) for r in data["rules_checked"]}
        for index, (case, kind, box) in enumerate(slots):
            if case.rule not in known:
                continue
            mine = case.rule in flagged_ours.get(index, set())
            theirs_flag = case.rule in flagged_theirs.get(index, set())
            rows.append({"pattern": case.id, "kind": kind, "ours": mine,
                         "foundry": theirs_flag,
                         "bbox": [round(v, 3) for v in (box.left, box.bottom, box.right,
                                                        box.top)]})
        differ = [r for r in rows if r["ours"] != r["foundry"]]
        print(f"foundry deck: {theirs.seconds:.2f} s; {len(rows)} patterns of rules both decks "
              f"check, verdicts differ on {len(differ)}")
        for row in differ:
            print(f"  {row['pattern']:<40} {row['kind']}: ours "
                  f"{'flags' if row['ours'] else 'passes'}, foundry "
                  f"{'flags' if row['foundry'] else 'passes'}  at {row['bbox']}")
        missing = sorted({c.rule for c, _, _ in slots} - known)
        if missing:
            print(f"rules the foundry deck does not report: {' '.join(missing)}")
    if args.json:
        args.json.write_text(json.dumps({"ours_seconds": ours.seconds, "own_miss": own_miss,
                                         "rows": rows}, indent=1))
    return 1 if own_miss else 0


if __name__ == "__main__":
    sys.exit(main())
