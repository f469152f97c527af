"""docker-compose.yml and the Dockerfile: checked for structure (no Docker engine here).

The end-to-end tests run the same services as processes (PostgreSQL, Redis, moto for
MinIO); this checks that the compose file wires the app to them with settings it reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from mediaarchive.config import describe_settings
from mediaarchive.store import parse_s3_uri
from mediaarchive.worker.app import QUEUES

REPO = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker-1", "worker-2")


def _example_env() -> dict[str, str]:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` ($$ is a literal $)."""

    def value(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in env:
            return env[name]
        if op == ":-":
            return rest
        raise AssertionError(f"{name} is required but not in .env.example")

    return re.sub(r"(?<!\$)\$\{(\w+)(?:(:[-?])([^}]*))?\}", value, text)


@pytest.fixture(scope="module")
def compose() -> dict:
    """The compose file as ``docker compose config`` sees it with .env.example's values."""
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    return yaml.safe_load(_interpolate(text, _example_env()))


def test_all_services_are_there_with_pinned_images(compose: dict) -> None:
    services = compose["services"]
    assert {"minio", "postgres", "redis", *APP_SERVICES} <= set(services)
    for name in ("minio", "postgres", "redis"):
        image = services[name]["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name} image is not pinned"
    for name in APP_SERVICES:
        assert services[name]["build"] == ".", f"{name} is built from the Dockerfile"


def test_every_service_has_a_healthcheck_and_apps_wait_for_healthy_backends(
    compose: dict,
) -> None:
    for name, service in compose["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test"), f"{name} has no healthcheck"
        assert check.get("interval") and check.get("retries"), f"{name} healthcheck incomplete"
    for name in APP_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert {k: v["condition"] for k, v in depends.items()} == {
            "minio": "service_healthy",
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }


def test_data_lives_in_named_volumes(compose: dict) -> None:
    declared = set(compose["volumes"])
    mounts = {"minio": "/data", "postgres": "/var/lib/postgresql/data", "redis": "/data"}
    for name, target in mounts.items():
        volumes = compose["services"][name]["volumes"]
        sources = {v.split(":")[0] for v in volumes if v.split(":")[1] == target}
        assert sources and sources <= declared, f"{name} data is not in a named volume"


def test_app_environment_is_what_the_app_reads_and_points_at_the_services(
    compose: dict,
) -> None:
    known = {env for _, env, _ in describe_settings()}
    services = compose["services"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        ours = {k for k in env if k.startswith("MEDIAARCHIVE_")}
        assert ours <= known, f"{name} sets settings the app does not read: {ours - known}"
        db = make_url(env["MEDIAARCHIVE_DB"])
        assert db.password == services["postgres"]["environment"]["POSTGRES_PASSWORD"]
        assert (db.drivername, db.host, db.database) == (
            "postgresql+psycopg",
            "postgres",
            services["postgres"]["environment"]["POSTGRES_DB"],
        )
        assert db.username == services["postgres"]["environment"]["POSTGRES_USER"]
        bucket, _prefix = parse_s3_uri(env["MEDIAARCHIVE_STORE"])
        assert bucket
        assert env["MEDIAARCHIVE_STORE_ENDPOINT_URL"] == "http://minio:9000"
        assert env["MEDIAARCHIVE_BROKER"].startswith("redis://redis:6379")
        # The store credentials are MinIO's own.
        minio = services["minio"]["environment"]
        assert env["AWS_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
        assert env["AWS_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]


def test_the_web_page_answers_to_the_names_compose_gives_it(compose: dict) -> None:
    web = compose["services"]["web"]
    assert "0.0.0.0" in web["command"]  # every interface: only the named hosts are answered
    names = web["environment"]["MEDIAARCHIVE_ALLOWED_HOSTS"].split(",")
    # The healthcheck's localhost, the service name other containers use, .env's names.
    assert {"localhost", "web", "archive.example.org"} <= set(names)
    assert "localhost:8000" in " ".join(web["healthcheck"]["test"])


def test_workers_run_one_step_at_a_time_on_known_queues(compose: dict) -> None:
    for name in ("worker-1", "worker-2"):
        command = compose["services"][name]["command"]
        assert command[:2] == ["mediaarchive", "worker"]
        assert command[command.index("--concurrency") + 1] == "1"
        queues = command[command.index("--queues") + 1].split(",")
        assert set(queues) <= set(QUEUES)
    web = compose["services"]["web"]
    assert web["command"][:2] == ["mediaarchive", "serve"]
    port = web["command"][web["command"].index("--port") + 1]
    assert f"{port}:{port}" in web["ports"]


def test_no_secret_is_committed(compose: dict) -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    for variable in ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD"):
        assert re.search(rf"\$\{{{variable}:\?", text), f"{variable} must come from .env"
        assert variable in (REPO / ".env.example").read_text(encoding="utf-8")
    assert ".env" in (REPO / ".gitignore").read_text(encoding="utf-8").split()


def test_dockerfile_builds_the_app_image() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and re.search(r"^FROM python:3\.1[1-9]", text, re.M)
    for package in ("ffmpeg", "tesseract-ocr-deu", "espeak-ng", "hunspell-de-de"):
        assert package in text
    assert "pip install --no-cache-dir ." in text
    assert "mediaarchive models install" in text
    assert re.search(r"^USER (?!root)", text, re.M), "the app must not run as root"
    assert 'CMD ["mediaarchive", "serve"' in text
