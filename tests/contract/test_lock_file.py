"""requirements.lock agrees with every pin: a pin changed in a pyproject.toml or requirements-test.txt
without `make lock` would install one version in make install and be checked against another."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+?)(\[[^\]]*\])?==([^\s;#]+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if m := PIN.match(line):
            pins[normalized(m[1])] = m[3]
    return pins


def declared() -> dict[str, str]:
    pins = {}
    for pyproject in [ROOT / "shared" / "pyproject.toml", *sorted((ROOT / "services").glob("*/pyproject.toml"))]:
        for requirement in tomllib.loads(pyproject.read_text())["project"].get("dependencies", []):
            if (m := PIN.match(requirement)) and not normalized(m[1]).startswith("yizhou"):
                pins[normalized(m[1])] = m[3]
    for line in (ROOT / "requirements-test.txt").read_text().splitlines():
        if m := PIN.match(line):
            pins[normalized(m[1])] = m[3]
    return pins


def test_every_pin_is_in_the_lock_at_the_same_version():
    locked = lock()
    drift = {name: (version, locked.get(name)) for name, version in declared().items() if locked.get(name) != version}
    assert not drift, f"pins and requirements.lock disagree (pin, lock): {drift}; run `make lock`"
    assert len(locked) > len(declared())  # the lock holds the transitive packages too
