"""`webcare run` with a Viva Engage community and the chat webhook: classified in the store."""

import json
import socket
import threading
import time

import pytest
import requests
from click.testing import CliRunner

from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.ingest.chat.test_source import fixture as chat_fixture
from tests.ingest.engage.test_source import GROUP, IT, FakeYammer
from tests.ingest.test_end_to_end import write_config
from webcare.cli.main import main

pytestmark = pytest.mark.pipeline


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_when_listening(run: threading.Thread, url: str, **kwargs) -> requests.Response | None:
    """POST as soon as the receiver accepts connections (the run starts it after loading the
    classifier); None if the run ended first."""
    while run.is_alive():
        try:
            return requests.post(url, timeout=30, **kwargs)
        except requests.ConnectionError:
            time.sleep(0.05)
    return None


def test_run_classifies_engage_and_chat_posts_into_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGE_TOKEN", "good")
    monkeypatch.setenv("WEBCARE_CHAT_TOKEN", "chat-token")
    port = free_port()
    with FakeYammer() as yammer:
        path = write_config(tmp_path, [
            {"type": "engage", "base_url": yammer.url, "groups": [GROUP],
             "mentions_user_id": IT, "max_cycles": 1, "backfill_pages": 5},
            {"type": "chat", "port": port, "idle_timeout": 3, "max_cycles": 1},
        ])
        outcome = {}
        run = threading.Thread(target=lambda: outcome.setdefault(
            "result", CliRunner().invoke(main, ["run", "--config", path])))
        run.start()
        sent = post_when_listening(run, f"http://127.0.0.1:{port}/chat",
                                   json=[chat_fixture("webcare_transcript.json"),
                                         {"conversation_id": "c-2", "messages": []}],
                                   headers={"Authorization": "Bearer chat-token"})
        run.join()
        tested = CliRunner().invoke(main, ["sources", "test", "--config", path])
    result = outcome["result"]
    assert result.exit_code == 0, result.output
    assert sent is not None and sent.status_code == 422 and sent.json()["accepted"] == 1
    assert "posts: 7  dead letters: 1" in result.output  # 6 engage (B once) + 1 chat
    assert tested.exit_code == 0 and tested.output.count("ok  ") == 2, tested.output

    store = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "store.sqlite")))
    rows = store.db.execute("SELECT post_id, platform, topic, sentiment, action, decision_json "
                            "FROM posts ORDER BY post_id").fetchall()
    store.close()
    platforms = {row[1] for row in rows}
    assert platforms == {"engage", "chat"} and len(rows) == 7
    chat = next(row for row in rows if row[1] == "chat")
    assert chat[0] == "chat:sd-20261120-0042" and chat[2] and chat[3] and chat[4]
    decision = json.loads(chat[5])
    assert decision["classification"]["post_id"] == "chat:sd-20261120-0042"
    official = next(json.loads(row[5]) for row in rows if row[0] == "engage:2269815632208230")
    assert official["post"]["raw"]["engage"]["role"] == "official_answer"

    status = CliRunner().invoke(main, ["sources", "status", "--json", "--config", path])
    names = {row["source"] for row in json.loads(status.output)}
    assert names == {f"engage:{GROUP}", f"chat:127.0.0.1:{port}/chat"}
