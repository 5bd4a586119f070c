"""The lock files (requirements/*.lock, written by `make lock`) against setup.cfg, the source of truth.

Every range of install_requires is met by main.lock, every range of the test extra by test.lock;
test.lock pins every package of main.lock exactly as main.lock does; every pin carries hashes.
A setup.cfg changed without `make lock` fails here."""
from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def requirements(section_option: tuple[str, str]) -> list[Requirement]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config.get(*section_option).splitlines()
    return [Requirement(line.strip()) for line in lines if line.strip()]


def lock(name: str) -> dict[str, str]:
    """{canonical name: pinned version}, every pin checked to carry at least one hash."""
    text = (ROOT / "requirements" / name).read_text()
    pins = {}
    for entry in re.split(r"\n(?=\S)", text):
        match = PIN.match(entry)
        if not match:
            continue
        assert "--hash=sha256:" in entry, f"{name}: {match[1]} has no hash"
        pins[canonicalize_name(match[1])] = match[2]
    assert pins, f"{name} pins nothing"
    return pins


MAIN = requirements(("options", "install_requires"))
TEST = requirements(("options.extras_require", "test"))


@pytest.mark.parametrize(("lock_name", "wanted"), [("main.lock", MAIN), ("test.lock", MAIN + TEST)])
def test_every_range_of_setup_cfg_is_met(lock_name, wanted):
    pins = lock(lock_name)
    for requirement in wanted:
        version = pins.get(canonicalize_name(requirement.name))
        assert version, f"{lock_name} lacks {requirement.name}: run make lock"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock_name} pins {requirement.name}=={version}, setup.cfg wants {requirement}: run make lock"
        )


def test_test_lock_pins_main_lock_unchanged():
    main, test = lock("main.lock"), lock("test.lock")
    differing = {name: (version, test.get(name)) for name, version in main.items() if test.get(name) != version}
    assert not differing, f"main.lock and test.lock differ (main, test): {differing}"
