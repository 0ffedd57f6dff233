"""Knowledge on SQLite and PostgreSQL: answered questions paired from the store (webcare replies
and peer/official answer posts), FAQ export as Markdown and CSV, the CLI and the /knowledge
page per role."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from schemas import Author, Engagement
from tests.app.conftest import ROUTER, api_token
from tests.conftest import make_classification, make_post
from webcare.knowledge.collect import answered_questions
from webcare.knowledge.config import KnowledgeConfig
from webcare.knowledge.export import candidates, csv_text, markdown

WEBCARE_ANSWER = "Hold the reset button for 10 seconds, then wait for the green light."


def seed(app_store) -> None:
    """t-11 (webcare reply) and t-12 (peer, official, asker and spam replies) are answered
    questions; t-18 is answered but no question, t-19 a question nobody answered."""
    rows = [
        (11, "@LumenCare how do I reset my router?", "@ann", {}, {}),
        (12, "How can I reset the router", "@cat", {}, {}),
        (13, "Unplug it for 30 s <script>alert(1)</script>", "@dan", {"reply_to_id": "t-12"},
         {"topic": "other"}),
        (14, "turn it off and on", "@eve", {"reply_to_id": "t-12"}, {"topic": "other"}),
        (15, "thanks, that worked", "@Cat", {"reply_to_id": "t-12"}, {"topic": "feedback"}),
        (16, "cheap followers at spam.example", "@bot", {"reply_to_id": "t-12"},
         {"topic": "other", "noise": True, "noise_reason": "spam", "actionable": False}),
        (17, "Use the reset pin at the back; see lumen.example/reset", "@LumenCare",
         {"reply_to_id": "t-12"},
         {"topic": "other", "noise": True, "noise_reason": "own_post", "actionable": False}),
        (18, "@LumenCare my internet is down", "@fay", {}, {"topic": "outage"}),
        (19, "how do I pay my bill?", "@gus", {}, {}),
    ]
    likes = {13: 5, 14: 1}
    decisions = []
    for n, text, handle, post_fields, labels in rows:
        post = make_post(n, text=text, author=Author(handle=handle, followers=5),
                         engagement=Engagement(likes=likes.get(n, 0)), **post_fields)
        decisions.append(ROUTER(post, make_classification(post, **{"topic": "how_to", **labels})))
    app_store.store.write(decisions, [])
    app_store.add_reply("t-11", "alice", WEBCARE_ANSWER, "dry-run", None)
    app_store.add_reply("t-18", "alice", "We are on it", "dry-run", None)


def test_questions_pair_with_webcare_peer_and_official_answers(app_store):
    seed(app_store)
    found = {q.post_id: q for q in answered_questions(app_store.db, KnowledgeConfig())}
    assert set(found) == {"t-11", "t-12"}
    assert [(a.kind, a.text) for a in found["t-11"].answers] == [("webcare", WEBCARE_ANSWER)]
    thread = found["t-12"].answers
    assert [(a.kind, a.post_id, a.likes) for a in thread] == [
        ("peer", "t-13", 5), ("peer", "t-14", 1), ("official", "t-17", 0)]
    assert found["t-12"].topic == "how_to" and found["t-12"].lang == "en"
    sent_only = answered_questions(app_store.db, KnowledgeConfig(reply_modes=["sent"]))
    assert {q.post_id for q in sent_only} == {"t-12"}  # the dry-run reply no longer counts
    newest = answered_questions(app_store.db, KnowledgeConfig(max_questions=1))
    assert [q.post_id for q in newest] == ["t-12"]  # t-18, newer, is answered but no question


def test_reply_naming_the_pipeline_post_id_pairs_too(app_store):
    question = make_post(30, id="demo-30", platform="reddit", platform_id="t3_q30",
                         text="Waar vind ik mijn factuur?", author=Author(handle="u/ann"))
    answer = make_post(31, id="demo-31", platform="reddit", platform_id="t1_a31",
                       text="Onder Mijn Lumen > Facturen", reply_to_id="demo-30",
                       author=Author(handle="u/bob"))
    app_store.store.write([ROUTER(p, make_classification(p, lang="nl", topic="billing"))
                           for p in (question, answer)], [])
    found = {q.post_id: q for q in answered_questions(app_store.db, KnowledgeConfig())}
    assert [a.post_id for a in found["demo-30"].answers] == ["demo-31"]
    assert found["demo-30"].lang == "nl" and "demo-31" not in found  # an answer, no question


def test_viva_engage_answer_roles(app_store):
    """The Engage source marks replies (raw.engage.role); the IT account is not an own_post."""
    def engage(n, text, role, handle, **fields):
        post = make_post(n, id=f"engage:{n}", platform="engage", platform_id=str(n), text=text,
                         author=Author(handle=handle), conversation_id="engage:40",
                         raw={"engage": {"role": role}}, **fields)
        return ROUTER(post, make_classification(post, topic="how_to" if role == "starter"
                                                else "other"))

    app_store.store.write([
        engage(40, "Hoe krijg ik toegang tot de gedeelde mailbox?", "starter", "ann@corp.example"),
        engage(41, "Vraag het aan via de portal, formulier Mailbox.", "official_answer",
               "it@corp.example", reply_to_id="engage:40"),
        engage(42, "Bij ons regelde de teamleider dat.", "peer_answer", "bob@corp.example",
               reply_to_id="engage:40"),
        engage(43, "Dank, gelukt!", "asker_reply", "ann@corp.example", reply_to_id="engage:40"),
    ], [])
    found = {q.post_id: q for q in answered_questions(app_store.db, KnowledgeConfig())}
    assert [(a.kind, a.post_id) for a in found["engage:40"].answers] == [
        ("official", "engage:41"), ("peer", "engage:42")]


def test_candidates_markdown_and_csv(app_store):
    seed(app_store)
    found = candidates(app_store.db, KnowledgeConfig())
    assert len(found) == 1
    faq = found[0]
    assert faq.count == 2 and sorted(faq.post_ids) == ["t-11", "t-12"]
    assert faq.answer.kind == "webcare" and faq.answer.text == WEBCARE_ANSWER
    text = markdown(found)
    lines = text.splitlines()
    assert lines[0] == "# FAQ candidates"
    assert [line for line in lines if line.startswith("## ")] == [f"## 1. {faq.question}"]
    assert "- Asked: 2 times (2026-11-20 – 2026-11-20)" in lines
    assert f"> {WEBCARE_ANSWER}" in lines and "**Answer** (webcare):" in lines
    phrasings = lines[lines.index("**Example phrasings**:") + 2:]
    assert sorted(p for p in phrasings if p) == ["- @LumenCare how do I reset my router?",
                                                 "- How can I reset the router"]
    rows = list(csv.DictReader(io.StringIO(csv_text(found))))
    assert len(rows) == 1 and rows[0]["count"] == "2" and rows[0]["answer_kind"] == "webcare"
    assert rows[0]["answer"] == WEBCARE_ANSWER and rows[0]["languages"] == "en"
    assert sorted(rows[0]["post_ids"].split(" | ")) == ["t-11", "t-12"]
    assert len(candidates(app_store.db, KnowledgeConfig(), min_count=1)) == 1
    assert candidates(app_store.db, KnowledgeConfig(), min_count=3) == []


@pytest.mark.slow
def test_knowledge_page_for_every_role_and_downloads(app_store, client_for):
    seed(app_store)
    for name in ("alice", "lena", "carl", "ada"):
        page = client_for(name).get("/knowledge?min_count=1")
        assert page.status_code == 200, name
        assert "reset" in page.text and 'href="/knowledge"' in page.text
    page = client_for("alice").get("/knowledge?min_count=1").text
    assert WEBCARE_ANSWER in page and "<script>alert" not in page
    anonymous = client_for().get("/knowledge", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    client = client_for("carl")
    md = client.get("/knowledge/export.md")
    assert md.headers["content-type"].startswith("text/markdown") and "## 1." in md.text
    rows = list(csv.DictReader(io.StringIO(client.get("/knowledge/export.csv").text)))
    assert rows[0]["count"] == "2"
    assert client.get("/knowledge/export.pdf").status_code == 404
    assert client.get("/knowledge?min_count=0").status_code == 422


@pytest.mark.slow
def test_knowledge_api(app_store, client_for):
    seed(app_store)
    client = client_for()
    found = client.get("/api/v1/knowledge", headers=api_token(app_store, "alice")).json()
    assert [(f["count"], sorted(f["post_ids"])) for f in found] == [(2, ["t-11", "t-12"])]
    assert found[0]["answer"]["kind"] == "webcare" and found[0]["languages"] == ["en"]
    assert client.get("/api/v1/knowledge").status_code == 401
    assert "/api/v1/knowledge" in client.get("/api/openapi.json").json()["paths"]


def test_knowledge_export_cli(app_store, config, tmp_path):
    seed(app_store)
    if config.store.type != "sqlite":
        return  # --store names a SQLite file; PostgreSQL is covered by the tests above
    from webcare.cli.main import main

    out = tmp_path / "kb" / "faq.csv"
    result = CliRunner().invoke(main, ["knowledge", "export", "--format", "csv", "--output",
                                       str(out), "--store", config.store.path])
    assert result.exit_code == 0, result.output
    assert "1 FAQ candidate(s) written" in result.output
    assert list(csv.DictReader(out.open()))[0]["answer"] == WEBCARE_ANSWER
    shown = CliRunner().invoke(main, ["knowledge", "export", "--min-count", "5", "--store",
                                      config.store.path])
    assert shown.exit_code == 0 and shown.output.startswith("# FAQ candidates\n\n0 candidates")
