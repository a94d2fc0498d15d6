"""Fixtures: a real exercise backend on 127.0.0.1 (real SQLite, real layers/) and logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from commandwall.demo import DemoBackend
from tests.contract.wire import ApiClient, login


@pytest.fixture(scope="session")
def backend() -> Iterator[DemoBackend]:
    """One backend for the session: seeded (seed 7), simulator thread off, keepalive every second."""
    with DemoBackend(seed=7, simulate=False, keepalive_s=1.0) as running:
        yield running


@pytest.fixture
def anon(backend: DemoBackend) -> Iterator[ApiClient]:
    """A client without a token."""
    client = ApiClient(backend.base_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def viewer(backend: DemoBackend) -> Iterator[ApiClient]:
    """Logged in as viewer (read only)."""
    client = login(backend.base_url, "viewer")
    yield client
    client.close()


@pytest.fixture(scope="session")
def duty(backend: DemoBackend) -> Iterator[ApiClient]:
    """Logged in as duty officer (值班员)."""
    client = login(backend.base_url, "duty")
    yield client
    client.close()


@pytest.fixture(scope="session")
def commander(backend: DemoBackend) -> Iterator[ApiClient]:
    """Logged in as commander (指挥长)."""
    client = login(backend.base_url, "commander")
    yield client
    client.close()


@pytest.fixture(scope="session")
def admin(backend: DemoBackend) -> Iterator[ApiClient]:
    """Logged in as administrator (系统管理员)."""
    client = login(backend.base_url, "admin")
    yield client
    client.close()


@pytest.fixture
def make_backend() -> Iterator[Callable[..., DemoBackend]]:
    """Start extra backends for one test (stopped afterwards)."""
    started: list[DemoBackend] = []

    def factory(**kwargs: Any) -> DemoBackend:
        kwargs.setdefault("simulate", False)
        started.append(DemoBackend(**kwargs).start())
        return started[-1]

    yield factory
    for b in started:
        b.stop()


@pytest.fixture
def new_incident(backend: DemoBackend, commander: ApiClient) -> Callable[..., dict[str, Any]]:
    """Report a fresh simulated incident (optionally moved along by actions, as commander, who may take every
    action); returns its JSON."""

    def factory(*actions: str, category: str | None = None) -> dict[str, Any]:
        incident = backend.simulator.new_incident(category).model_dump(mode="json")
        for action in actions:
            note = "退回原因：信息不全" if action == "return" else ""
            incident = commander.post(
                f"/api/v1/incidents/{incident['id']}/transitions",
                json={"action": action, "version": incident["version"], "note": note},
            ).json()
        return incident

    return factory
