"""Racing requests: one task completed by many at once is completed exactly once."""
from __future__ import annotations

import threading

from support.catalog import upload_dataset
from support.sop import start

THREADS = 16


def race(app, token, path, json):
    """Send the same request from THREADS threads released together; return the statuses."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker():
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=json, headers={"Authorization": f"Bearer {token}"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_sixteen_threads_complete_one_task_exactly_once(app, make_user):
    admin = make_user("admin1", "admin")
    redaktur = make_user("redaktur1", "redaktur")
    dataset = upload_dataset(admin)
    instance = start(redaktur)
    task_id = instance["tasks"][0]["id"]

    statuses = race(app, redaktur.token, f"/api/v1/tasks/{task_id}/complete",
                    {"data": {"dataset_id": dataset["id"]}})

    assert len(statuses) == THREADS
    assert statuses.count(200) == 1, statuses
    assert set(statuses) == {200, 409}, statuses
    state = redaktur.get(f"/instances/{instance['id']}").get_json()
    assert [t["bpmn_id"] for t in state["tasks"]] == ["tentukan_data", "ambil_data"]
    assert [e["action"] for e in state["history"]].count("task.complete") == 1


def test_sixteen_threads_claim_one_task_one_wins(app, make_user):
    editors = {f"redaktur{n}": make_user(f"redaktur{n}", "redaktur") for n in range(1, THREADS + 1)}
    instance = start(editors["redaktur1"])
    task_id = instance["tasks"][0]["id"]
    barrier = threading.Barrier(THREADS)
    results: dict[str, int] = {}

    def worker(username, api):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/tasks/{task_id}/claim", headers={"Authorization": f"Bearer {api.token}"})
        results[username] = response.status_code

    threads = [threading.Thread(target=worker, args=item) for item in editors.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [200] + [409] * (THREADS - 1), results
    winner = next(name for name, status in results.items() if status == 200)
    assert editors["redaktur1"].get(f"/tasks/{task_id}").get_json()["assignee"] == winner
