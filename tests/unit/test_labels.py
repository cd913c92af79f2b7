"""Chinese labels and messages (issue 21): every value of every enum a client sees has a zh-CN label, every
problem title a zh-CN translation, and the gettext catalog holds exactly what the code registers (so
`make messages` has nothing left to add). The four apps are imported: each registers its own enums."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import typing

import pydantic
import pytest
from babel.messages.pofile import read_po

import demand_intake.app  # noqa: F401  (registers the service's labels and problem kinds)
import dual_registration.app  # noqa: F401
import org_registry.app  # noqa: F401
import project_matching.app  # noqa: F401
from org_registry.domain.organization import SETUP_MODES
from yizhou.auth import Role
from yizhou.axis_events import AreaKind, Level
from yizhou.contracts.categories import CATEGORY_NAMES_ZH
from yizhou.errors import CATALOGUE
from yizhou.labels import (LOCALE_DIR, english_labels, labels_for, message_template, negotiate, register_labels,
                           registered_enums, translate)
from yizhou.language_settings import LanguageSettings

CATALOG = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "yizhou.po"
DOMAIN_PACKAGES = ["org_registry.domain", "demand_intake.domain", "project_matching.domain",
                   "project_matching.guarantee.domain", "dual_registration.domain"]


def _modules(package: str):
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        yield importlib.import_module(info.name)


def _domain_enums() -> dict[str, type[enum.StrEnum]]:
    found = {f"{e.__module__}.{e.__qualname__}": e for e in (Role, Level, AreaKind)}
    for package in DOMAIN_PACKAGES:
        for module in _modules(package):
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, enum.StrEnum) and value.__module__ == module.__name__:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def _contract_literals() -> dict[str, tuple[str, ...]]:
    found = {}
    for module in _modules("yizhou.contracts"):
        for name, value in vars(module).items():
            if typing.get_origin(value) is typing.Literal:
                found[f"{module.__name__}.{name}"] = typing.get_args(value)
    return found


def test_every_value_of_every_registered_enum_has_a_chinese_label():
    enums = registered_enums()
    assert len(enums) > 40
    missing = [(name, value) for name, labels in enums.items() for value, english in labels.items()
               if labels_for(name, "zh-CN")[value] == english]
    assert not missing, f"no zh-CN label in {CATALOG} (run `make messages`, then translate): {missing}"


def test_english_labels_are_the_message_ids():
    assert labels_for("demand_state", "en")["in_progress"] == "In progress"
    assert labels_for("hub_kind", "en")["womens_federation"] == "Women's federation"


def test_one_english_word_can_have_two_chinese_labels_by_its_enum():
    assert labels_for("demand_state", "zh-CN")["closed"] == "已办结"
    assert labels_for("meeting_state", "zh-CN")["closed"] == "已结束"


@pytest.mark.parametrize("qualified, domain_enum", sorted(_domain_enums().items()))
def test_every_domain_enum_has_labels(qualified, domain_enum):
    # An enum (or a value) added to a domain without labels fails here: register it in <package>/labels.py.
    values = {m.value for m in domain_enum}
    assert any(set(labels) == values for labels in registered_enums().values()), \
        f"{qualified} {sorted(values)}: no registered enum with these values"


@pytest.mark.parametrize("qualified, values", sorted(_contract_literals().items()))
def test_every_enum_of_the_event_contracts_has_labels(qualified, values):
    assert any(set(labels) == set(values) for labels in registered_enums().values()), \
        f"{qualified} {sorted(values)}: no registered enum with these values"


def test_categories_and_setup_modes_keep_the_chinese_names_the_code_has():
    assert labels_for("category", "zh-CN") == CATEGORY_NAMES_ZH
    assert labels_for("setup_mode", "zh-CN") == {mode.value: info.chinese for mode, info in SETUP_MODES.items()}


def test_every_problem_title_has_a_chinese_translation():
    untranslated = [title for _, title in CATALOGUE.values() if translate(title, "zh-CN") == title]
    assert not untranslated, f"no zh-CN title in {CATALOG}: {untranslated}"


def test_the_catalog_holds_exactly_what_the_code_registers():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    in_catalog = {(m.context, m.id): m for m in catalog if m.id}
    wanted = {(m.context, m.id) for m in message_template() if m.id}
    assert wanted - in_catalog.keys() == set(), "run `make messages` and translate the new entries"
    assert in_catalog.keys() - wanted == set(), "stale entries: run `make messages`"
    assert [key for key, m in in_catalog.items() if m.fuzzy or not m.string] == []
    assert not list(catalog.check()), "a translation breaks its message's format"


@pytest.mark.parametrize("header, language", [
    (None, "zh-CN"), ("", "zh-CN"), ("en", "en"), ("EN-us", "en"), ("zh-CN", "zh-CN"), ("zh", "zh-CN"),
    ("zh-TW", "zh-CN"), ("en-US,en;q=0.9,zh-CN;q=0.8", "en"), ("zh-CN;q=0.2, en;q=0.9", "en"),
    ("fr, de;q=0.8", "zh-CN"), ("fr, en;q=0.1", "en"), ("*", "zh-CN"), ("en;q=0", "zh-CN"),
    ("en;q=abc", "zh-CN"), (";;,,q=", "zh-CN"), ("ja, en", "en"),
])
def test_accept_language_is_negotiated(header, language):
    assert negotiate(header) == language


def test_the_default_is_the_districts_language():
    assert negotiate("fr", "en") == "en"
    assert negotiate(None, "en") == "en"
    assert negotiate("zh", "en") == "zh-CN"


def test_the_district_language_setting_takes_the_supported_languages_only(monkeypatch):
    assert LanguageSettings().district_language == "zh-CN"
    monkeypatch.setenv("DISTRICT_LANGUAGE", "en-US")
    assert LanguageSettings().district_language == "en"
    monkeypatch.setenv("DISTRICT_LANGUAGE", "fr")
    with pytest.raises(pydantic.ValidationError, match="DISTRICT_LANGUAGE"):
        LanguageSettings()


def test_an_enum_name_is_registered_once_across_the_platform():
    with pytest.raises(ValueError, match="already registered"):
        register_labels("someone-else", {"demand_state": {"submitted": "Sent"}})
    with pytest.raises(KeyError):
        labels_for("no_such_enum", "zh-CN")
    with pytest.raises(TypeError):
        english_labels(str)
