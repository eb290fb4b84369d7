"""The committed schema.graphql is the server's schema, and it honours the API contract."""

import subprocess
import sys
from pathlib import Path

from schema import create_schema
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_CHECK = ROOT / "vendor" / "tools" / "contract_check.py"


def test_schema_graphql_is_up_to_date() -> None:
    exported = create_schema(Settings()).as_str()

    assert (ROOT / "schema.graphql").read_text() == exported + "\n", (
        "schema.graphql is stale: run `python server.py export-schema > schema.graphql`"
    )


def test_schema_graphql_contains_the_whole_contract() -> None:
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(ROOT / "schema.graphql")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "contract: 0 difference(s)" in result.stdout
