"""A crash: gunicorn killed with SIGKILL (master and workers at once) in the middle of a stream of
completions leaves every instance consistent, and a restarted server finishes the remaining work."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from support.stress import FIRST_STEP, NEXT_STEP, Client, Race, inconsistencies, publish_figures, requires_postgresql

pytestmark = [pytest.mark.slow, requires_postgresql]

INSTANCES = 80
CLIENTS = 8
EDITORS = 4
WORKERS = 2
KILLS = 3  # rounds, each killed after KILL_AFTER more completions answered 200
KILL_AFTER = 12
TIMEOUT = 600


def wait_until_disconnected(stack, timeout=120) -> None:
    """PostgreSQL ends the sessions of the killed workers, rolling back what they had begun."""
    deadline = time.monotonic() + timeout
    while stack.backends() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stack.backends() == 0


def racing(server, editors, dataset_id, seed) -> Race:
    return Race([Client(server.url, editors[n % len(editors)]) for n in range(CLIENTS)], dataset_id, seed=seed)


def test_a_server_killed_mid_stream_leaves_every_instance_consistent(stack, tmp_path):
    server, editors, dataset_id = stack.publications_waiting(WORKERS, EDITORS, INSTANCES)
    before = stack.instances()
    first_tasks = {task_id for v in before.values() for task_id in v.open_tasks}
    done: set[str] = set()
    rounds = []

    for kill in range(KILLS):
        race = racing(server, editors, dataset_id, seed=kill)
        race.start(TIMEOUT)
        assert race.wait_for_completions(KILL_AFTER, TIMEOUT), race.errors
        race.killed.set()
        server.kill()
        figures = race.join()
        assert race.errors == [] and race.unexpected() == Counter(), (race.errors, race.unexpected())
        assert server.problems() == []
        wait_until_disconnected(stack)

        # With the server down: every instance is whole, whatever was in flight.
        crashed = stack.instances()
        assert inconsistencies(crashed, before) == []
        now_done = {task_id for v in crashed.values() for task_id in v.done_tasks}
        answered = set(race.completed)
        assert done | answered <= now_done  # nothing answered 200 was lost
        lost_answers = now_done - done - answered  # committed, but the answer died with the server
        assert len(lost_answers) <= race.cut["complete"]
        assert len(now_done) < INSTANCES  # the kill came mid-stream
        assert stack.audit_verify().startswith("OK:")
        rounds.append({**figures, "done_at_kill": len(now_done), "committed_without_answer": len(lost_answers)})
        done = now_done
        server = stack.serve(WORKERS)  # restarted over the same database

    # The last server finishes exactly the rest.
    rest = racing(server, editors, dataset_id, seed=KILLS)
    finished = rest.run(TIMEOUT)
    assert rest.errors == [] and rest.unexpected() == Counter(), (rest.errors, rest.unexpected())
    assert rest.completed == Counter(dict.fromkeys(first_tasks - done, 1))

    final = stack.instances()
    assert inconsistencies(final, before) == []
    for view in final.values():
        assert list(view.done_tasks.values()) == [FIRST_STEP], view
        assert list(view.open_tasks.values()) == [NEXT_STEP], view
    assert stack.audit_verify().startswith("OK:")
    assert server.problems() == []
    publish_figures("stress-crash", {"gunicorn_workers": WORKERS, "instances": INSTANCES, "kills": rounds,
                                     "after_restart": finished}, tmp_path)
