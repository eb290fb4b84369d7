"""The README's "Using Apollo Client" section, followed literally in an empty project: its
install line names every package its snippets import, its commands generate the documents,
and `tsc` accepts its snippets. Blocks are found by their `<!-- readme-test: NAME -->`
marker; packages come from this repository's node_modules/ (`npm ci`: package.json lists
them), so nothing is downloaded."""

import json
import re
import shlex
from pathlib import Path

import pytest

from tests.clients.tools import NODE_MODULES, REPO, node_missing, run

MARKED = re.compile(r"<!-- readme-test: ([\w./-]+) -->\n```\w*\n(.*?)\n```", re.DOTALL)
IMPORTED = re.compile(r'^import .*? from "([^".][^"]*)";', re.MULTILINE)
MISSING = node_missing("typescript", "@graphql-codegen/cli", "@apollo/client", "crypto-hash")

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


def readme_blocks(prefix: str) -> dict[str, str]:
    """The README's marked blocks under `prefix`, by the file name each stands for."""
    found = MARKED.findall((REPO / "README.md").read_text())
    return {name.removeprefix(prefix): body for name, body in found if name.startswith(prefix)}


def _package(specifier: str) -> str:
    """The npm package of an import specifier ("@apollo/client/link/x" -> "@apollo/client")."""
    parts = specifier.split("/")
    return "/".join(parts[:2] if specifier.startswith("@") else parts[:1])


def _installed(install: str) -> set[str]:
    return {
        word
        for line in install.splitlines()
        if line.startswith("npm install ")
        for word in shlex.split(line)[2:]
        if not word.startswith("-")
    }


def test_the_section_has_its_blocks() -> None:
    blocks = readme_blocks("apollo/")

    assert set(blocks) == {
        "install.sh",
        "codegen.ts",
        "tsconfig.json",
        "src/client.ts",
        "src/trusted.ts",
    }
    json.loads(blocks["tsconfig.json"])


def test_the_install_line_names_every_package_the_snippets_import() -> None:
    """…and each is a devDependency here, so that `npm ci` puts it in node_modules/."""
    blocks = readme_blocks("apollo/")
    installed = _installed(blocks["install.sh"])
    ours = json.loads((REPO / "package.json").read_text())["devDependencies"]

    imported = {
        _package(specifier)
        for name, body in blocks.items()
        if name.endswith(".ts")
        for specifier in IMPORTED.findall(body)
    }

    assert {"@apollo/client", "crypto-hash", "graphql"} <= imported
    assert imported - installed == set()
    assert installed - set(ours) == set()


async def _new_project(directory: Path, blocks: dict[str, str]) -> None:
    """The blocks written as files, then the install block's commands run as written, but
    npm's packages are this repository's node_modules/, linked, where `npx` finds them."""
    for name, body in blocks.items():
        if name != "install.sh":
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(body + "\n")
    (directory / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    commands = "\n".join(
        line.replace("path/to/this/repo", shlex.quote(str(REPO)))
        for line in blocks["install.sh"].splitlines()
        if not line.startswith("npm install ")
    )
    script = f'set -euo pipefail\nnpx() {{ "node_modules/.bin/$1" "${{@:2}}"; }}\n{commands}\n'

    generated = await run("bash", "-c", script, cwd=directory)

    assert generated.returncode == 0, generated
    assert (directory / "src/gql/possible-types.json").is_file()


async def test_the_section_generates_and_type_checks_in_a_new_project(tmp_path: Path) -> None:
    await _new_project(tmp_path, readme_blocks("apollo/"))

    checked = await run(NODE_MODULES / ".bin/tsc", "-p", ".", cwd=tmp_path)

    assert checked.returncode == 0, checked


async def test_a_snippet_that_breaks_fails_the_type_check(tmp_path: Path) -> None:
    """Without its `getOperationAST` import, the trusted-documents snippet does not compile."""
    blocks = readme_blocks("apollo/")
    trusted = blocks["src/trusted.ts"]
    blocks["src/trusted.ts"] = trusted.replace('import { getOperationAST } from "graphql";\n', "")
    assert blocks["src/trusted.ts"] != trusted
    await _new_project(tmp_path, blocks)

    checked = await run(NODE_MODULES / ".bin/tsc", "-p", ".", cwd=tmp_path)

    assert checked.returncode != 0
    assert "Cannot find name 'getOperationAST'" in checked.stdout
