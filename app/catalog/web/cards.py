"""The data a run works on, as a card beside its tasks."""
from __future__ import annotations

from app import policy
from app.core.keys import by_id

from ..datasets import RUN_FIELD
from ..models import Dataset


def dataset_card(instance, task, viewer, data) -> dict | None:
    dataset = by_id(Dataset, data.get(RUN_FIELD))
    if dataset is None or not policy.may_read_dataset(viewer, dataset):
        return None
    return {"dataset": dataset}
