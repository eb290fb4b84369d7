"""What the client tests share: where things are, why a tool is missing, and running one."""

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
NODE = shutil.which("node")
RUN_TIMEOUT = 180  # seconds; generous for a loaded 2-core machine


def node_missing(*packages: str) -> str | None:
    """Why these npm packages cannot be used here, or None when they can."""
    if NODE is None:
        return "Node.js is not installed: install node and npm, then run `make test`"
    absent = [name for name in packages if not (NODE_MODULES / name / "package.json").is_file()]
    if absent:
        return f"node_modules/ lacks {', '.join(absent)}: run `npm ci` (`make test` does)"
    return None


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"exit {self.returncode}\n{self.stdout}\n{self.stderr}"


async def run(*command: str | Path, cwd: Path | None = None) -> Completed:
    """Run a command without blocking the event loop (a live server may be serving it)."""
    process = await asyncio.create_subprocess_exec(
        *command, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(RUN_TIMEOUT):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Completed(process.returncode, stdout.decode(), stderr.decode())


def mirror(target: Path, *paths: str) -> Path:
    """Copy repository paths to the same places under `target`, and link node_modules/ there,
    so that a generator run there reads the same relative paths and writes nowhere else."""
    for path in paths:
        source = REPO / path
        if source.is_dir():
            shutil.copytree(source, target / path)
        else:
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / path)
    if NODE_MODULES.is_dir():
        (target / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    return target


def differences(expected: Path, actual: Path) -> list[str]:
    """Files (relative paths) that differ between two trees, or exist in only one."""
    names = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file()} | {
        p.relative_to(actual) for p in actual.rglob("*") if p.is_file()
    }
    return sorted(
        str(name)
        for name in names
        if "__pycache__" not in name.parts
        and (
            not (expected / name).is_file()
            or not (actual / name).is_file()
            or (expected / name).read_bytes() != (actual / name).read_bytes()
        )
    )
