"""Making one-time codes: the alphabet, their length, uniqueness, and finding a live deployment."""

import re

from sqlalchemy import func, select

from feedback.core.codes import ALPHABET, CODE_LENGTH, grouped, new_code, normalize
from feedback.extensions import db
from feedback.surveys import codes as codes_module
from feedback.surveys.codes import add_codes, find_code, fresh_codes, generate_batch, live_deployment_at
from feedback.surveys.models import AccessMode, DeploymentStatus, SurveyCode
from tests.surveys.helpers import deploy_default

LOOK_ALIKES = "0O1IL2Z5S8BUVDQ"


def test_the_alphabet_has_no_look_alikes_and_codes_have_eight_characters():
    assert not set(ALPHABET) & set(LOOK_ALIKES)
    assert len(set(ALPHABET)) == len(ALPHABET) == 21
    assert CODE_LENGTH == 8
    pattern = re.compile(f"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
    many = [new_code() for _ in range(20_000)]
    assert all(pattern.match(code) for code in many)
    assert len(set(many)) == len(many)  # 21**8 ≈ 3.8e10: a clash here would mean a broken generator
    # Every symbol is used, none favoured much (each appears ~1/21 of the time).
    counts = {ch: sum(code.count(ch) for code in many) for ch in ALPHABET}
    expected = len(many) * CODE_LENGTH / len(ALPHABET)
    assert all(0.9 * expected < n < 1.1 * expected for n in counts.values()), counts


def test_a_printed_code_typed_back_with_dashes_or_spaces_is_found(app, tree):
    deploy_default(tree.counter_a)
    [code] = add_codes(live_deployment_at(tree.counter_a), 1)
    db.session.commit()
    printed = grouped(code.code)
    assert printed == f"{code.code[:4]}-{code.code[4:]}"
    assert normalize(printed) == code.code
    assert find_code(printed.lower()).id == code.id
    assert find_code(" ".join(printed)).id == code.id


def test_fresh_codes_skip_codes_already_stored(app, tree, monkeypatch):
    deployment = deploy_default(tree.counter_a) and live_deployment_at(tree.counter_a)
    [taken] = add_codes(deployment, 1)
    db.session.commit()
    # The generator first repeats the stored code, then gives new ones.
    sequence = iter([taken.code, taken.code, "3333AAAA", "4444CCCC"])
    monkeypatch.setattr(codes_module, "new_code", lambda: next(sequence))
    assert sorted(fresh_codes(2)) == ["3333AAAA", "4444CCCC"]


def test_a_batch_of_5000_codes_is_distinct_and_shares_one_batch_id(app, tree):
    deploy_default(tree.counter_a)
    batch, codes = generate_batch(live_deployment_at(tree.counter_a), 5000)
    db.session.commit()
    assert len({c.code for c in codes}) == 5000
    assert db.session.scalar(select(func.count()).where(SurveyCode.batch == batch)) == 5000
    assert db.session.scalar(select(func.count(func.distinct(SurveyCode.code)))) == 5000
    assert re.fullmatch(r"\d{8}-[0-9a-f]{8}", batch)


def test_live_deployment_at_takes_any_access_mode_but_not_a_paused_one(app, tree):
    assert live_deployment_at(tree.counter_a) is None
    deploy_default(tree.counter_a, access_mode=AccessMode.CODE)
    deployment = live_deployment_at(tree.counter_a)
    assert deployment is not None and deployment.access_mode == AccessMode.CODE
    deployment.status = DeploymentStatus.PAUSED
    db.session.commit()
    assert live_deployment_at(tree.counter_a) is None
    deployment.status = DeploymentStatus.ACTIVE
    tree.counter_a.active = False
    db.session.commit()
    assert live_deployment_at(tree.counter_a) is None
