"""Freshness campaigns over a real SMTP server on loopback: e-mails, personal links, answers, reminders."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from finder import config
from finder.service import authz, campaigns, changes, referents
from finder.service.mail import Mailer
from finder.storage import campaigns as rows
from tests.import_helpers import geo
from tests.smtp_server import mail_settings, smtp_server

STAFF = authz.Principal("regine", "staff")
BASE = "https://orientation.example.org"
LINK = re.compile(r"https://orientation\.example\.org/espace/campagne/([A-Za-z0-9_-]{43})")


@pytest.fixture()
def store(demo_store):
    known = demo_store.load().structures
    for name, structures in (("rachid", ["str-0001"]), ("sonia", ["str-0001", "str-0002"])):
        referents.create_account(demo_store, None, name, "referent", structures, known, f"{name}@example.org")
    return demo_store


@pytest.fixture()
def smtp():
    with smtp_server() as (recorder, port):
        recorder.mailer = Mailer.from_config(config.load(mail_settings(port)))
        yield recorder


def start(store, mailer, structures=("str-0001", "str-0002", "str-0003")):
    return campaigns.start(store, STAFF, "Vérification 2026", list(structures), store.load(), mailer, BASE)


def test_each_referent_gets_a_personal_link_by_email(store, smtp):
    out = start(store, smtp.mailer)
    assert sorted(out.sent) == ["rachid@example.org", "sonia@example.org", "sonia@example.org"]
    assert out.unreachable == ["str-0003"] and out.failed == []
    links = [LINK.findall(m.get_content()) for m in smtp.messages]
    assert all(len(found) == 1 for found in links) and len({f[0] for f in links}) == 3
    body = smtp.bodies_to("rachid@example.org")[0]
    assert "Mission locale Bourg-en-Bresse" in body and "rien n'a changé" in body
    assert smtp.messages[0]["From"] == "spro@example.org"
    assert "Vos lieux d'accueil SPRO sont-ils à jour" in smtp.messages[0]["Subject"]
    with store.db.connection() as con:  # only hashes are stored
        stored = {h for (h,) in con.execute("SELECT token_hash FROM campaign_targets WHERE token_hash IS NOT NULL")}
    assert stored == {referents.token_hash(f[0]) for f in links}


def test_confirming_marks_the_sites_checked_and_spends_the_link(store, smtp):
    start(store, smtp.mailer)
    token = LINK.search(smtp.bodies_to("rachid@example.org")[0]).group(1)
    today = dt.date(2026, 11, 5)
    version = campaigns.confirm(store, token, today)
    assert store.published_version() == version
    assert all(s.date_maj == today.isoformat() for s in store.load().sites if s.structure_id == "str-0001")
    with pytest.raises(referents.LinkGone):
        campaigns.confirm(store, token, today)
    board = campaigns.dashboard(store, STAFF, 1, store.load())
    states = {(t["structure_id"], t["username"]): t["state"] for t in board["targets"]}
    assert states == {
        ("str-0001", "rachid"): "confirmed",
        ("str-0001", "sonia"): "en attente",
        ("str-0002", "sonia"): "en attente",
        ("str-0003", None): "sans référent",
    }


@pytest.mark.parametrize("token", ["", "A" * 43, "not-a-token"])
def test_a_guessed_link_is_refused(store, smtp, token):
    start(store, smtp.mailer)
    with pytest.raises(referents.LinkGone) as err:
        campaigns.open_link(store, token)
    assert err.value.status == 410


def test_an_expired_link_is_refused(store, smtp):
    start(store, smtp.mailer)
    token = LINK.search(smtp.bodies_to("rachid@example.org")[0]).group(1)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    with pytest.raises(referents.LinkGone):
        campaigns.open_link(store, token, now=later)


def test_a_correction_answers_the_campaign(store, smtp):
    start(store, smtp.mailer)
    who = authz.principal(store, "rachid")
    changes.edit(store, geo(), who, "lieu-0001", {"telephone": "04 11 22 33 44"}, config.EDIT_POLICY_DEFAULTS)
    targets = {(t["structure_id"], t["username"]): t["answer"] for t in rows.targets(store, 1)}
    assert targets[("str-0001", "rachid")] == "corrected" and targets[("str-0001", "sonia")] is None


def test_reminders_go_only_to_those_who_have_not_answered_with_new_links(store, smtp):
    start(store, smtp.mailer)
    first = {m["To"]: LINK.search(m.get_content()).group(1) for m in smtp.messages if m["To"] == "rachid@example.org"}
    campaigns.confirm(store, LINK.search(smtp.bodies_to("sonia@example.org")[0]).group(1))
    smtp.messages.clear()
    out = campaigns.remind(store, STAFF, 1, store.load(), smtp.mailer, BASE)
    assert sorted(out.sent) == ["rachid@example.org", "sonia@example.org"]
    assert all(m.get_content().startswith("Rappel") for m in smtp.messages)
    with pytest.raises(referents.LinkGone):  # the first link was replaced
        campaigns.open_link(store, first["rachid@example.org"])
    new = LINK.search(smtp.bodies_to("rachid@example.org")[0]).group(1)
    assert campaigns.open_link(store, new)["username"] == "rachid"
    assert [t["reminders"] for t in rows.targets(store, 1) if t["username"] == "rachid"] == [1]


def test_an_unreachable_smtp_server_is_reported_not_raised(store):
    mailer = Mailer("127.0.0.1", 1, "spro@example.org", security="none", timeout=1)
    out = start(store, mailer)
    assert sorted(out.failed) == ["rachid@example.org", "sonia@example.org", "sonia@example.org"] and out.sent == []


def test_without_smtp_the_links_are_given_to_staff(store):
    out = start(store, None, ["str-0002"])
    assert list(out.links) == ["sonia"] and LINK.fullmatch(out.links["sonia"])


def test_only_staff_run_campaigns(store, smtp):
    referent = authz.principal(store, "rachid")
    with pytest.raises(authz.Forbidden):
        campaigns.start(store, referent, "x", ["str-0001"], store.load(), smtp.mailer, BASE)
    with pytest.raises(authz.Forbidden):
        campaigns.remind(store, referent, 1, store.load(), smtp.mailer, BASE)
    assert smtp.messages == []
