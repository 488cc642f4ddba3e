"""JUnit XML for CI systems: DRC as one test case per rule, LVS as one per compared circuit.

GitLab, Jenkins, GitHub test reporters and most CI dashboards read this format natively, so a
rule that fails shows up as a failed test with its markers, a mismatch with its findings.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_DETAILS = 50  # lines of detail per failed case (the JSON has them all)


@dataclass
class Case:
    suite: str          # e.g. "drc.synapse" or "lvs"
    name: str           # rule ID or circuit
    failures: list[str] = field(default_factory=list)   # first line is the summary
    seconds: float = 0.0
    description: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.failures)


def write_junit(path: Path, name: str, cases: Iterable[Case]) -> None:
    """One <testsuite> per suite of the cases, in a <testsuites> named `name`."""
    by_suite: dict[str, list[Case]] = {}
    for case in cases:
        by_suite.setdefault(case.suite, []).append(case)
    root = ET.Element("testsuites", name=name)
    for suite, members in by_suite.items():
        element = ET.SubElement(root, "testsuite", name=suite, tests=str(len(members)),
                                failures=str(sum(c.failed for c in members)), errors="0",
                                skipped="0", time=f"{sum(c.seconds for c in members):.3f}")
        for case in members:
            item = ET.SubElement(element, "testcase", classname=suite, name=case.name,
                                 time=f"{case.seconds:.3f}")
            if case.description:
                ET.SubElement(item, "system-out").text = case.description
            if case.failed:
                failure = ET.SubElement(item, "failure", message=case.failures[0],
                                        type="mismatch" if suite.startswith("lvs") else
                                        "violation")
                details = case.failures[1:MAX_DETAILS + 1]
                more = len(case.failures) - 1 - len(details)
                failure.text = "\n".join(details + ([f"... and {more} more"] if more else []))
    root.set("tests", str(sum(len(m) for m in by_suite.values())))
    root.set("failures", str(sum(c.failed for m in by_suite.values() for c in m)))
    ET.indent(root)
    path.write_text(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")


def drc_cases(result: dict[str, Any], descriptions: dict[str, str] | None = None) -> list[Case]:
    """A DRC result's JSON (built-in or external): one case per rule checked."""
    suite = f"drc.{result['cell']}"
    by_rule = result.get("by_rule", {})
    markers: dict[str, list[str]] = {}
    for violation in result.get("violations", []):
        box = ", ".join(f"{v:g}" for v in violation["bbox"])
        markers.setdefault(violation["rule"], []).append(f"marker at ({box}) um")
    descriptions = descriptions or {v["rule"]: v.get("message", "")
                                    for v in result.get("violations", [])}
    cases = []
    for rule in result.get("rules_checked", []):
        count = by_rule.get(rule, 0)
        text = descriptions.get(rule, "")
        failures = ([f"{count} violation{'s' * (count > 1)} of {rule}"
                     + (f": {text}" if text else ""), *markers.get(rule, [])] if count else [])
        cases.append(Case(suite, rule, failures, description=text))
    return cases


def lvs_case(result: dict[str, Any], suite: str = "lvs") -> Case:
    """An LVS result's JSON (built-in or external): one case for its circuit."""
    failures = []
    if not result["match"]:
        found = result.get("mismatches", [])
        failures = [f"{result['cell']}: layout and schematic differ ({len(found)} finding"
                    f"{'s' * (len(found) != 1)})", *(f["message"] for f in found)]
    counts = (f"devices: {result['devices_layout']} in the layout, "
              f"{result['devices_schematic']} in the schematic; {result['nets']} nets")
    return Case(suite, result["cell"], failures, result.get("seconds", 0.0), counts)
