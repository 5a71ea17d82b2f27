"""docker-compose.yml runs one Stripe sandbox that web and worker share and browsers reach."""

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with the dev tools (moto)

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def default(value: str) -> str:
    """What compose makes of `${NAME:-default}` / `${NAME-default}` when NAME is not set."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", value)


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_web_and_worker_call_the_one_sandbox_and_share_its_webhook_secret(services):
    sandbox = services["stripe-sandbox"]
    command = [default(part) for part in sandbox["command"]]
    option = {name: command[command.index(name) + 1] for name in command if name.startswith("--")}

    assert command[:3] == ["python", "-m", "payments.sandbox"]
    assert option["--port"] == "12111" and option["--host"] == "0.0.0.0"
    assert option["--public-url"] == "http://localhost:12111"
    assert "127.0.0.1:${STRIPE_SANDBOX_PORT:-12111}:12111" in sandbox["ports"]
    for name in ("web", "worker", "beat"):
        env = {key: default(str(value)) for key, value in services[name]["environment"].items()}
        assert env["STRIPE_API_BASE"] == "http://stripe-sandbox:12111", name
        assert env["STRIPE_SECRET_KEY"] == "sk_test_sandbox", name
        assert env["STRIPE_WEBHOOK_SECRET"] == option["--webhook-secret"], name
        assert "stripe-sandbox" in services[name]["depends_on"], name
        # The sandbox posts its events to web:8000, so the site must answer to that name.
        assert "web" in env["ALLOWED_HOSTS"].split(","), name
    assert option["--webhook-url"] == "http://web:8000/payments/webhook"
