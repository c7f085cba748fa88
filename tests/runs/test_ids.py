import re

from runs import ids
from tests.support.factories import StepFactory, TaskRunFactory


def test_public_ids_are_a_prefix_and_a_64_bit_decimal():
    run = ids.new_run_id()
    assert re.fullmatch(r"tsk_\d{15,19}", run)
    assert int(run.removeprefix("tsk_")) < 2**63


def test_ids_sort_by_creation_time():
    earlier = ids.new_int_id(now_ms=ids.EPOCH_MS + 1_000)
    later = ids.new_int_id(now_ms=ids.EPOCH_MS + 1_001)
    assert earlier < later


def test_ids_made_in_the_same_millisecond_differ():
    made = {ids.new_int_id(now_ms=ids.EPOCH_MS + 5) for _ in range(1000)}
    assert len(made) == 1000


def test_models_get_prefixed_ids(db):
    step = StepFactory()
    assert step.step_id.startswith("stp_")
    assert step.run.run_id.startswith("tsk_")
    assert step.run.organization.organization_id.startswith("o_")
    assert TaskRunFactory().run_id != step.run.run_id
