"""The package type-checks: mypy with the project's configuration (pyproject.toml) finds nothing.

`make test` runs mypy too; this test makes a broken annotation fail the suite as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_finds_no_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from mypy import api

    monkeypatch.chdir(ROOT)  # the configuration's `files` are relative to the project
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, out + err
    assert "Success: no issues found" in out
    assert (ROOT / "src" / "kg" / "py.typed").is_file()  # the package says it is typed
