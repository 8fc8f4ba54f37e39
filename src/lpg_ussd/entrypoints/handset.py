"""A handset in the terminal: shows each screen, sends each answer, like a phone would."""

from __future__ import annotations

from collections.abc import Callable

import httpx


class Handset:
    """Speaks the Africa's Talking format: `text` carries every answer so far, joined by `*`."""

    def __init__(self, url: str, phone: str, service_code: str, session_id: str) -> None:
        self._url = url
        self._phone = phone
        self._service_code = service_code
        self._session_id = session_id
        self._answers: list[str] = []

    def send(self, client: httpx.Client, answer: str | None) -> tuple[str, bool]:
        if answer is not None:
            self._answers.append(answer)
        form = {
            "sessionId": self._session_id,
            "serviceCode": self._service_code,
            "phoneNumber": self._phone,
            "networkCode": "62001",
            "text": "*".join(self._answers),
        }
        response = client.post(self._url, data=form)
        if response.status_code != 200:
            return f"(HTTP {response.status_code}) {response.text}", True
        body = response.text
        return body[4:], body.startswith("END")

    def run(self, input_fn: Callable[[str], str], output_fn: Callable[[str], None]) -> int:
        output_fn(f"Dialling {self._service_code} from {self._phone} (empty line or q to hang up)")
        with httpx.Client(timeout=10) as client:
            try:
                screen, ended = self.send(client, None)
            except httpx.HTTPError as error:
                output_fn(f"cannot reach {self._url}: {error}")
                return 1
            while True:
                output_fn("-" * 24 + f"\n{screen}\n" + "-" * 24)
                if ended:
                    return 0
                try:
                    answer = input_fn("> ")
                except EOFError:
                    return 0
                if answer.strip().lower() in {"", "q"}:
                    output_fn("Hung up.")
                    return 0
                screen, ended = self.send(client, answer)
