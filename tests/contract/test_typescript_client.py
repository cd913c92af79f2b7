"""A front-end team's check, in CI: a TypeScript client generated from the four OpenAPI documents
(openapi-typescript) type-checks a small program using all four (`tsc --strict`), and Spectral finds
no error and no warning in them (`spectral:oas` as `tests/contract/typescript/.spectral.yaml` sets it).
The tools are pinned in `tests/contract/typescript/package-lock.json`; `npm ci` installs them when
`node_modules` is missing. Skipped only where `npm` is not on PATH (CI has it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from yizhou_platform.launcher import SERVICES
from yizhou_platform.testing import service_app

HERE = Path(__file__).parent / "typescript"
BIN = HERE / "node_modules" / ".bin"


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def tools() -> Path:
    if shutil.which("npm") is None:
        print("npm is not on PATH: the generated TypeScript client and Spectral are not checked here")
        pytest.skip("npm is not on PATH (CI has it): install Node.js to run the TypeScript client check")
    if not (BIN / "tsc").exists():
        installed = run("npm", "ci", "--no-audit", "--no-fund", cwd=HERE)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    return BIN


@pytest.fixture(scope="module")
def written_documents(make_settings, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("openapi")
    for spec in SERVICES:
        create_app, settings_class = service_app(spec.name)
        document = create_app(make_settings(settings_class)).openapi()
        (out / f"{spec.name}.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return out


def test_a_generated_client_type_checks_strictly(tools, written_documents, tmp_path):
    (tmp_path / "generated").mkdir()
    for spec in SERVICES:
        generated = run(str(tools / "openapi-typescript"), str(written_documents / f"{spec.name}.json"),
                        "-o", str(tmp_path / "generated" / f"{spec.name}.ts"), cwd=HERE)
        assert generated.returncode == 0, generated.stdout + generated.stderr
    shutil.copy(HERE / "client.ts", tmp_path / "client.ts")
    checked = run(str(tools / "tsc"), "--strict", "--noEmit", "--target", "es2022", "--module", "esnext",
                  "--moduleResolution", "bundler", "--lib", "es2022,dom,dom.iterable", "client.ts", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_spectral_finds_no_error_and_no_warning(tools, written_documents):
    documents = [str(written_documents / f"{spec.name}.json") for spec in SERVICES]
    linted = run(str(tools / "spectral"), "lint", "--ruleset", str(HERE / ".spectral.yaml"), "--format", "json",
                 "--quiet", *documents, cwd=HERE)
    findings = json.loads(linted.stdout or "[]")
    shown = [f"{Path(f['source']).name} {'.'.join(map(str, f['path']))}: {f['code']}: {f['message']}"
             for f in findings if f["severity"] <= 1]   # 0 error, 1 warning (2 information, 3 hint)
    assert shown == [], "\n".join(shown[:50])
    assert linted.returncode == 0, linted.stdout[-2000:] + linted.stderr[-2000:]
