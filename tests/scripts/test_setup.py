"""Set-up stays quiet: the packaging metadata gives setuptools nothing to warn about (a TOML
table as license is deprecated; the meta-path finder of an editable install warns about
same-named folders), and pip's repeated complaints about this machine's configuration are
condensed into one line."""

from __future__ import annotations

import subprocess
import tomllib

from tests.conftest import REPO


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0"
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_editable_install_is_a_plain_path_entry():
    """With every package at the repository root, setuptools installs an editable project as
    a path entry, which it does not warn about."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["package-dir"] == {"": "."}
    for package in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        assert (REPO / package.rstrip("*") / "__init__.py").is_file()


def test_pip_configuration_warnings_become_one_line(tmp_path):
    """The script's pip wrapper, run on a fake pip that warns like this machine's."""
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    fake = venv / "python"
    fake.write_text("#!/bin/sh\nfor i in 1 2 3; do echo \"WARNING: Location 'file:///opt/x/$i/' "
                    "is ignored: it is neither a file nor a directory.\" >&2; done\n"
                    "echo 'ERROR: a real problem' >&2\nexit 3\n")
    fake.chmod(0o755)
    script = (REPO / "scripts" / "setup.sh").read_text()
    wrapper = script[script.index("IGNORED="):script.index("say \"installing the project")]
    done = subprocess.run(["bash", "-c", "say() { printf 'setup: %s\\n' \"$*\" >&2; }\n"
                           f"VENV={tmp_path / '.venv'}\n{wrapper}\npip_quiet install x"],
                          capture_output=True, text=True)
    assert done.returncode == 3
    assert "ERROR: a real problem" in done.stderr
    assert "Location" not in done.stderr and "3 warnings about index folders" in done.stderr
