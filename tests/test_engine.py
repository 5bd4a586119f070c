"""The engine facade on its own: the shipped model runs, state is compact and spec-free,
specs are parsed once, and conditions never reach Python's eval."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.variants import without_declared_decisions

from app.engine import DeployError, TaskNotReady, complete_task, parse_model, start_workflow
from app.engine.bpmn import cached_spec
from app.engine.runtime import EngineError

ROOT = Path(__file__).parent.parent
XML = (ROOT / "processes" / "penyebarluasan_data.bpmn").read_bytes()
ROLES = {"admin", "redaktur", "desain", "pengawas", "pengelola_data"}
EFFECTS = {"publish", "revise"}


def load_form(name):
    path = ROOT / "forms" / name
    return json.loads(path.read_text()) if path.exists() else None


@pytest.fixture(scope="module")
def model():
    return parse_model(XML, roles=ROLES, effects=EFFECTS, load_form=load_form, max_bytes=1 << 20)


def run(model, state, step, data):
    [ready] = [t for t in state.ready if t.bpmn_id == step]
    return complete_task(model.process_id, model.sha256, model.xml, state.state, ready.id, data)


def test_model_carries_the_contract(model):
    assert model.process_id == "penyebarluasan_data" and model.hari_kerja == 7
    assert model.lanes == {"Redaktur": "redaktur", "Tim Desain": "desain"}
    assert {t: (d.lane, d.form, d.hari_kerja) for t, d in model.user_tasks.items()} == {
        "tentukan_data": ("Redaktur", "tentukan_data.json", 1),
        "ambil_data": ("Tim Desain", "ambil_data.json", 1),
        "desain": ("Tim Desain", "desain.json", 1),
        "caption": ("Tim Desain", "caption.json", 1),
        "periksa": ("Redaktur", "periksa.json", 1),
        "publikasi": ("Tim Desain", "publikasi.json", 1),
    }
    assert model.user_tasks["publikasi"].effect == "publish"
    assert model.user_tasks["ambil_data"].properties["keterangan"] == "Data terolah menggunakan SOP Pengolahan Data"
    assert set(model.forms) == {f"{t}.json" for t in model.user_tasks}


def test_a_step_decides_by_its_properties_or_else_by_the_earlier_convention(model):
    declared = model.decisions()
    assert set(declared) == {"periksa"}
    assert (declared["periksa"].field, declared["periksa"].revise_value) == ("keputusan", "revisi")
    # A version deployed before steps declared their decision: the same decision, from its form.
    earlier = without_declared_decisions(XML.decode()).encode()
    old = parse_model(earlier, roles=ROLES, effects=EFFECTS, load_form=load_form, max_bytes=1 << 20)
    assert old.decisions() == declared
    assert old.decisions()["periksa"].notes({"keputusan": "revisi", "catatan_revisi": "n"}) == "n"

    # A form that does not follow the convention decides nothing.
    def without_notes(name):
        form = load_form(name)
        if name == "periksa.json":
            form = {**form, "properties": {"keputusan": form["properties"]["keputusan"]}}
            form.pop("then", None)
            form.pop("if", None)
        return form

    assert parse_model(earlier, roles=ROLES, effects=EFFECTS, load_form=without_notes,
                       max_bytes=1 << 20).decisions() == {}


def test_revision_loop_and_completion(model):
    state = start_workflow(model.process_id, model.sha256, model.xml)
    assert [t.bpmn_id for t in state.ready] == ["tentukan_data"]
    state = run(model, state, "tentukan_data", {"dataset_id": 1})
    state = run(model, state, "ambil_data", {"data_terpilih": "x"})
    for decision in ("revisi", "revisi", "disetujui"):
        state = run(model, state, "desain", {"desain": "f"})
        state = run(model, state, "caption", {"caption": "c"})
        state = run(model, state, "periksa", {"keputusan": decision, "catatan_revisi": "n"})
    assert [t.bpmn_id for t in state.ready] == ["publikasi"] and not state.completed
    state = run(model, state, "publikasi", {"kanal": ["website"]})
    assert state.completed and state.ready == ()


def test_state_holds_no_copy_of_the_spec(model):
    state = start_workflow(model.process_id, model.sha256, model.xml)
    stored = json.loads(state.state)
    assert "spec" not in stored and "subprocess_specs" not in stored
    assert "Mendesain bahan untuk publikasi" not in state.state


def test_spec_is_parsed_once_per_version(model):
    assert cached_spec(model.process_id, model.sha256, model.xml) is cached_spec(
        model.process_id, model.sha256, model.xml)


def test_a_task_that_is_not_ready_is_refused(model):
    state = start_workflow(model.process_id, model.sha256, model.xml)
    task_id = state.ready[0].id
    after = complete_task(model.process_id, model.sha256, model.xml, state.state, task_id, {"dataset_id": 1})
    with pytest.raises(TaskNotReady):
        complete_task(model.process_id, model.sha256, model.xml, after.state, task_id, {"dataset_id": 1})
    with pytest.raises(TaskNotReady):
        complete_task(model.process_id, model.sha256, model.xml, after.state, "bukan-uuid", {})


def test_no_matching_condition_stops_with_an_engine_error(model):
    state = start_workflow(model.process_id, model.sha256, model.xml)
    state = run(model, state, "tentukan_data", {"dataset_id": 1})
    state = run(model, state, "ambil_data", {"data_terpilih": "x"})
    state = run(model, state, "desain", {"desain": "f"})
    state = run(model, state, "caption", {"caption": "c"})
    # Forms stop this in the application; the engine itself must not guess a path.
    with pytest.raises(EngineError):
        run(model, state, "periksa", {"keputusan": "barangkali"})


def test_conditions_are_data_not_code(model, tmp_path):
    """A condition that would be harmless under eval is still refused: no calls at all."""
    xml = XML.replace(b'keputusan == "revisi"', b'len(keputusan) == 6')
    with pytest.raises(DeployError) as refused:
        parse_model(xml, roles=ROLES, effects=EFFECTS, load_form=load_form, max_bytes=1 << 20)
    assert refused.value.problems[0].element_id == "flow_revisi"
