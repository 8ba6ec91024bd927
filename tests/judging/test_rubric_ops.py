"""The rubric editor's rules (rubric_ops.save_rubric), without HTTP and through the page: nothing changes once
finalized, scored criteria keep their place and scale (their wording, descriptors and weight may change),
weights sum to 100, every change is audited with before and after."""
import pytest

from fairapp.core.audit import AuditEntry
from fairapp.core.time import utcnow
from fairapp.judging import operations as ops
from fairapp.judging.models import Criterion, Score
from fairapp.nominations.models import Category

from tests.judging.test_chair_views import build_world, db_rubric, score_all


@pytest.fixture
def world(db, app):
    w = build_world(db)
    score_all(db, w)
    ctx = app.test_request_context()
    ctx.push()
    yield w
    ctx.pop()


def values(w, **changes) -> dict:
    """The world's rubric as save_rubric values, with `changes` applied to the top level or a criterion
    (c1=..., c2=... dicts; c2=None leaves criterion 2 out)."""
    criteria = []
    for key, c in (("c1", w.c1), ("c2", w.c2)):
        row = {"id": c.id, "name_th": c.name_th, "weight": c.weight, "scale_min": c.scale_min,
               "scale_max": c.scale_max, "descriptors": dict(c.descriptors or {})}
        if key in changes:
            if changes[key] is None:
                continue
            row.update(changes.pop(key))
        criteria.append(row)
    changes.pop("c1", None), changes.pop("c2", None)
    data = {"judges_per_nomination": 2, "ranking": "raw", "criteria": criteria,
            "levels": [{"min_score": 80, "name_th": "ต้นแบบ"}, {"min_score": 50, "name_th": "เชิดชูเกียรติ"}],
            "tie_rules": [{"kind": "criterion", "criterion": 0}]}
    data.update(changes)
    return data


def _scores(db) -> dict:
    return {(s.assignment_id, s.criterion_id): s.value for s in db.session.query(Score)}


def _entries(db) -> int:
    return db.session.query(AuditEntry).filter_by(action="judging.rubric_changed").count()


def test_wording_descriptors_and_weights_of_scored_criteria_may_change(db, world):
    before = _scores(db)
    ops.save_rubric(world.category, values(world, c1={"name_th": "การมีส่วนร่วมของชุมชนและภาคี", "weight": 60,
                                                       "descriptors": {"5": "ร่วมทุกขั้นตอน"}},
                                           c2={"weight": 40}), world.chair)
    db.session.commit()
    rubric = db_rubric(world)
    assert [(c.id, c.name_th, c.weight) for c in rubric.criteria] == [
        (world.c1.id, "การมีส่วนร่วมของชุมชนและภาคี", 60), (world.c2.id, "ผลลัพธ์ที่เกิดขึ้น", 40)]
    assert _scores(db) == before
    entry = db.session.query(AuditEntry).filter_by(action="judging.rubric_changed").one()
    assert entry.before["criteria"][0]["name"] == "การมีส่วนร่วมของชุมชน"
    assert entry.after["criteria"][0]["name"] == "การมีส่วนร่วมของชุมชนและภาคี"


def test_saving_the_same_rubric_writes_no_audit_entry(db, world):
    ops.save_rubric(world.category, values(world), world.chair)
    db.session.commit()
    assert _entries(db) == 0


def test_a_scored_criterion_cannot_be_removed(db, world):
    before = _scores(db)
    with pytest.raises(ops.ScoredCriterionRemoved) as refused:
        ops.save_rubric(world.category, values(world, c1={"weight": 100}, c2=None), world.chair)
    assert "ผลลัพธ์ที่เกิดขึ้น" in str(refused.value)
    db.session.rollback()
    assert _scores(db) == before and len(db_rubric(world).criteria) == 2 and _entries(db) == 0


def test_a_scored_criterions_scale_cannot_change(db, world):
    with pytest.raises(ops.ScoredScaleChanged):
        ops.save_rubric(world.category, values(world, c2={"scale_min": 0, "scale_max": 5}), world.chair)
    db.session.rollback()
    assert (db_rubric(world).criteria[1].scale_min, db_rubric(world).criteria[1].scale_max) == (1, 5)


def test_an_unscored_criterion_can_be_removed_and_new_ones_added(db, world):
    extra = Criterion(name_th="ความยั่งยืน", weight=10, scale_min=1, scale_max=5, position=2)
    rubric = db_rubric(world)
    rubric.criteria.append(extra)
    rubric.criteria[0].weight = 40
    db.session.commit()
    # the unscored "ความยั่งยืน" goes, a new criterion comes with a scale of its own
    data = values(world, c1={"weight": 40})
    data["criteria"].append({"id": None, "name_th": "การสื่อสาร", "weight": 10, "scale_min": 0, "scale_max": 2,
                             "descriptors": {}})
    ops.save_rubric(world.category, data, world.chair)
    db.session.commit()
    assert [c.name_th for c in db_rubric(world).criteria] == ["การมีส่วนร่วมของชุมชน", "ผลลัพธ์ที่เกิดขึ้น",
                                                               "การสื่อสาร"]


def test_weights_must_sum_to_100(db, world):
    with pytest.raises(ops.WeightsInvalid) as refused:
        ops.save_rubric(world.category, values(world, c2={"weight": 40}), world.chair)
    assert "90" in str(refused.value)


def test_a_finalized_rubric_never_changes(db, world):
    world.rubric.finalized_at = utcnow()
    db.session.commit()
    with pytest.raises(ops.CategoryFinalized):
        ops.save_rubric(world.category, values(world, c1={"name_th": "ชื่อใหม่"}), world.chair)
    db.session.rollback()
    assert db_rubric(world).criteria[0].name_th == "การมีส่วนร่วมของชุมชน" and _entries(db) == 0


def test_a_category_without_a_rubric_gets_one(db, world):
    category = Category(fair_id=world.fair.id, name_th="ชุมชนคุณธรรมต้นแบบ", opens_on=world.category.opens_on,
                        closes_on=world.category.closes_on)
    db.session.add(category)
    db.session.commit()
    data = {"judges_per_nomination": 3, "ranking": "z", "levels": [], "tie_rules": [],
            "criteria": [{"id": world.c1.id, "name_th": "การพึ่งตนเอง", "weight": 100, "scale_min": 0,
                          "scale_max": 2, "descriptors": {}}]}  # another rubric's id: a new criterion
    rubric = ops.save_rubric(category, data, world.chair)
    db.session.commit()
    assert rubric.category_id == category.id and rubric.criteria[0].id != world.c1.id
    assert db.session.get(Criterion, world.c1.id).name_th == "การมีส่วนร่วมของชุมชน"
    entry = db.session.query(AuditEntry).filter_by(action="judging.rubric_changed").one()
    assert entry.before is None and entry.after["ranking"] == "z"


# ---- through the page ----

def _form(w, **overrides) -> dict:
    data = {"judges_per_nomination": "2", "ranking": "raw",
            "criteria-0-id": str(w.c1.id), "criteria-0-name_th": "การมีส่วนร่วมของชุมชน",
            "criteria-0-weight": "50", "criteria-0-scale_min": "1", "criteria-0-scale_max": "5",
            "criteria-1-id": str(w.c2.id), "criteria-1-name_th": "ผลลัพธ์ที่เกิดขึ้น",
            "criteria-1-weight": "50", "criteria-1-scale_min": "1", "criteria-1-scale_max": "5",
            "levels-0-min_score": "80", "levels-0-name_th": "ต้นแบบ", "tie_rules-0-kind": ""}
    data.update(overrides)
    return data


def test_the_page_refuses_to_drop_a_scored_criterion_and_keeps_the_input(client, login_as, post_form, world, db):
    login_as(world.chair)
    url = f"/judging/categories/{world.category.id}/rubric"
    before = _scores(db)
    response = post_form(url, _form(world, **{"criteria-0-weight": "100", "criteria-0-name_th": "ถ้อยคำใหม่",
                                              "criteria-1-name_th": ""}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ลบเกณฑ์ &#34;ผลลัพธ์ที่เกิดขึ้น&#34; ไม่ได้" in html
    assert 'value="ถ้อยคำใหม่"' in html  # what was typed stays
    assert _scores(db) == before and db_rubric(world).criteria[0].name_th == "การมีส่วนร่วมของชุมชน"


def test_the_page_refuses_a_scale_change_of_a_scored_criterion(client, login_as, post_form, world, db):
    login_as(world.chair)
    response = post_form(f"/judging/categories/{world.category.id}/rubric", _form(world, **{
        "criteria-1-scale_min": "0", "criteria-1-scale_max": "10"}))
    assert response.status_code == 400 and "เปลี่ยนช่วงคะแนนของเกณฑ์" in response.get_data(as_text=True)
    assert db_rubric(world).criteria[1].scale_max == 5


def test_the_page_refuses_a_finalized_rubric(client, login_as, post_form, world, db):
    world.rubric.finalized_at = utcnow()
    db.session.commit()
    login_as(world.chair)
    url = f"/judging/categories/{world.category.id}/rubric"
    html = client.get(url).get_data(as_text=True)
    assert "<fieldset disabled>" in html and "บันทึกเกณฑ์</button>" not in html
    response = post_form(url, _form(world, **{"criteria-0-name_th": "ชื่อใหม่"}))
    assert response.status_code == 400 and "สรุปผลแล้ว" in response.get_data(as_text=True)
    assert db_rubric(world).criteria[0].name_th == "การมีส่วนร่วมของชุมชน" and _entries(db) == 0
