#!/usr/bin/env python3
"""Bootstrap and run the project with nothing but Python 3.11 and the package registries.

    python3 scripts/dev.py demo    # install, then run the whole pipeline on the bundled demo corpus
    python3 scripts/dev.py test    # install, then run the test suite (the same command CI runs)

The virtual environment lives in .venv and is synchronised with requirements.lock (hash-pinned) only
when the lock file changes, so repeated runs start immediately.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"
UV_VERSION = "0.13.8"


def _run(cmd: list[str], **kwargs: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 — this script runs under whatever python3 the machine has
        sys.exit(f"Python >= 3.11 is required, this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    # pip reads machine-wide config (constraints, extra indexes); uv resolves only from the lock file.
    _run([str(BIN / "python"), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"])
    env = {**os.environ, "VIRTUAL_ENV": str(VENV)}
    _run([str(BIN / "uv"), "pip", "sync", "--python", str(BIN / "python"), str(LOCK)], env=env)
    _run(
        [str(BIN / "uv"), "pip", "install", "--python", str(BIN / "python"), "--no-deps", "-e", "."], env=env
    )
    STAMP.write_text(wanted)


def project_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DAGSTER_HOME", str(ROOT / "data" / "dagster_home"))
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    env = project_env()
    if command == "setup":
        return 0
    if command == "demo":
        return subprocess.call([str(BIN / "xxgk"), "demo", *rest], cwd=ROOT, env=env)
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
