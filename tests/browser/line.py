"""What browser tests do beside the browser: be a handset on the real callback route (as
Africa's Talking posts it), and make a staff account with `lpg-ussd staff create`."""

from __future__ import annotations

import subprocess
import uuid

import httpx

from tests.browser.server import BIN, LiveServer, server_env


def dial(server: LiveServer, phone: str, answers: list[str]) -> tuple[str, str]:
    """One USSD session through the Africa's Talking callback: its id and the last screen."""
    session_id = "ATUid_" + uuid.uuid4().hex
    screen = ""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for hop in range(len(answers) + 1):
            form = {
                "sessionId": session_id,
                "serviceCode": "*384*303#",
                "phoneNumber": phone,
                "networkCode": "62001",
                "text": "*".join(answers[:hop]),
            }
            reply = client.post("/ussd/africastalking/callback", data=form)
            assert reply.status_code == 200, reply.text
            screen = reply.text
    return session_id, screen


def create_staff(server: LiveServer, username: str, password: str, role: str = "admin") -> None:
    command = [str(BIN), "staff", "create", username, "--role", role, "--password-stdin"]
    done = subprocess.run(
        [*command, "--name", username.replace(".", " ").title()],
        input=password + "\n",
        text=True,
        capture_output=True,
        cwd=server.workdir,
        env=server_env(server.workdir, {}),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
