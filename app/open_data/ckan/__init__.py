"""The checked catalog in CKAN's shapes, for the national Satu Data portal and CKAN harvesters:
datasets are packages, OPDs organizations, topics groups (and tags), publications showcases.

Only datasets the walidata checked (status "ready") are ever shown. Every listing costs a count
and one query per page: a dataset loads its OPD and file in the same query (joined loads).

- :mod:`.params`: an action's parameters and its refusals;
- :mod:`.shapes`: the package, resource, organization, group and showcase dicts;
- :mod:`.search`: ``q``, ``fq``, ``sort`` and facets on a query of checked datasets;
- :mod:`.actions`: the actions and :func:`call`, which runs one by name.
"""
from .actions import call
from .params import CkanError, Params, not_found, read_only

__all__ = ["CkanError", "Params", "call", "not_found", "read_only"]
