"""The opt-in pytest plugin and the shipped store contract, run as a user's test suite would."""

from __future__ import annotations

from importlib import metadata

import pytest

pytest_plugins = ["pytester"]

USER_CONFTEST = """
import pytest
from keysmith.core import MemoryAuditSink, MemoryTokenStore, TokenService

pytest_plugins = ["keysmith.testing"]

@pytest.fixture
def keysmith_service():
    return TokenService(MemoryTokenStore(), sink=MemoryAuditSink())
"""

USER_TESTS = """
from datetime import timedelta

import pytest
from keysmith.core import ExpiredToken

def test_token_authenticates_and_is_audited(keysmith_service, keysmith_token, keysmith_audit):
    issued = keysmith_token(scopes=["read"])
    assert keysmith_service.authenticate(issued.raw).prefix == issued.prefix
    assert keysmith_audit.actions() == ["created", "auth_success"]

def test_token_expires_on_frozen_clock(keysmith_service, keysmith_token, keysmith_clock):
    issued = keysmith_token(expires_at=timedelta(days=1))
    keysmith_clock.advance(days=1)
    with pytest.raises(ExpiredToken):
        keysmith_service.authenticate(issued.raw)
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's project outside Django: pytest-django, when installed, is kept out of it (it
    would read the Django settings this test run configured)."""
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider", *args)


def test_plugin_listed_in_conftest_gives_fixtures(project: pytest.Pytester) -> None:
    project.makeconftest(USER_CONFTEST)
    project.makepyfile(test_user=USER_TESTS)
    run(project).assert_outcomes(passed=2)


def test_plugin_not_listed_fixtures_do_not_exist(project: pytest.Pytester) -> None:
    project.makeconftest(USER_CONFTEST.replace('pytest_plugins = ["keysmith.testing"]', ""))
    project.makepyfile(test_user=USER_TESTS)
    result = run(project)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*fixture 'keysmith_token' not found*"])


def test_plugin_without_service_outside_django_says_what_to_define(
    project: pytest.Pytester,
) -> None:
    project.makeconftest('pytest_plugins = ["keysmith.testing"]')
    project.makepyfile(test_user="def test_it(keysmith_token):\n    keysmith_token()\n")
    result = run(project)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*Define a `keysmith_service` fixture in your conftest.py*"])


CONTRACT_TESTS = """
import pytest
from keysmith.core import MemoryTokenStore
from keysmith.testing.contract import StoreContract

class ForgetfulStore(MemoryTokenStore):
    # A store that forgets revocations: what the contract exists to catch.
    def revoke(self, record, *, purge):
        return True

class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self):
        return MemoryTokenStore()

class TestForgetfulStore(StoreContract):
    @pytest.fixture
    def store(self):
        return ForgetfulStore()
"""


def test_store_contract_passes_good_store_and_fails_broken_one(project: pytest.Pytester) -> None:
    project.makepyfile(test_stores=CONTRACT_TESTS)
    result = run(project, "-q")
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.no_fnmatch_line("*FAILED*TestMemoryStore*")
    result.stdout.fnmatch_lines(
        ["*FAILED*TestForgetfulStore::test_revoke_twice_reports_change_once*"]
    )
    assert outcomes["failed"] >= 3


def test_no_keysmith_distribution_registers_a_pytest_plugin() -> None:
    # A pytest11 entry point would load the fixtures into every test run of every project that
    # installs keysmith; they are opt-in through pytest_plugins instead.
    registered = metadata.entry_points(group="pytest11")
    assert [e.value for e in registered if e.value.startswith("keysmith")] == []
