"""The data a run works on, as a card beside its tasks."""
from __future__ import annotations

from app import policy
from app.core.keys import by_id

from ..models import Dataset

DATASET = "dataset_id"  # the field of a run's data that names the dataset it works on


def dataset_card(instance, task, viewer, data) -> dict | None:
    dataset = by_id(Dataset, data.get(DATASET))
    if dataset is None or not policy.may_read_dataset(viewer, dataset):
        return None
    return {"dataset": dataset}
