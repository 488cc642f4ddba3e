"""The flow's stage table: which flow.yaml keys make which stages stale. (That no stage reads a
key it does not declare is enforced when it runs: see test_runner and the end-to-end flow.)"""

from __future__ import annotations

import pytest

from sgdr_flow.config import load_flow
from sgdr_flow.stage import config_slice
from sgdr_flow.stages import STAGES

EDITS = {
    # edit of the default flow.yaml: stages whose config inputs change
    "temperature": (("temperature_c: 27", "temperature_c: 85"), {"sim", "report"}),
    "corner": (("corner: typical", "corner: ss"), {"sim", "report"}),
    "skipped DRC rule": (("drc:\n    enabled: true", "drc:\n    enabled: true\n"
                                                      "    skip_rules: [M1.1]"), {"drc"}),
    "LVS tolerance": (("w_rel: 0.01", "w_rel: 0.02"), {"lvs"}),
    "extraction report": (("resistance: false", "resistance: false\n  top_nets: 5"), {"pex"}),
    "report title": (("title: SGDr", "title: My SGDr"), {"report"}),
    "array size": (("n_synapses: 4", "n_synapses: 3"), {"layout", "pex", "sim"}),
    "metal stack": (("top_metal_thickness: 9K", "top_metal_thickness: 11K"),
                    {"cells", "layout", "drc", "lvs", "pex", "sim", "report"}),
    "flat extraction": (("resistance: false", "resistance: false\n  hierarchical: false"),
                        {"pex"}),
    "cell parameter": (("ratio: \"1:2\"", "ratio: \"1:3\""), {"cells", "sim"}),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_edit_makes_only_its_readers_stale(edit, flow_file, default_flow_text):
    (old, new), readers = EDITS[edit]
    assert old in default_flow_text
    before = load_flow(flow_file(default_flow_text, "a.yaml")).config
    after = load_flow(flow_file(default_flow_text.replace(old, new), "b.yaml")).config
    changed = {s.name for s in STAGES
               if config_slice(before, s.keys) != config_slice(after, s.keys)}
    assert changed == readers
