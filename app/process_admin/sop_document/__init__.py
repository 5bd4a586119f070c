"""The SOP document of a process, generated from a deployed version: the identity block and
lists that an admin keeps as metadata (``ProcessMeta.meta``), the activity table and the
flowchart in SOP style (a column per Pelaksana), as a printable page and as a PDF.

- :mod:`.table`: the activity table, read from the BPMN (its rules are written there);
- :mod:`.flowchart`: the flowchart's layout and its SVG;
- :mod:`.metadata`: the identity block and lists admins edit, their validation and storage,
  and the :class:`Document` that joins them to a version's table;
- :mod:`.printing`: the PDF.
"""
from .flowchart import flowchart_svg
from .metadata import (
    IDENTITY_FIELDS,
    LIST_FIELDS,
    LIST_TITLES,
    Document,
    date_text,
    document,
    form_values,
    identity_rows,
    lanes_of,
    meta_of,
    require_admin,
    signer_lines,
    update_meta,
    version_numbers,
    version_of,
)
from .printing import pdf, pdf_filename
from .table import ActivityTable, Row, activity_table, table_from_xml

__all__ = [
    "IDENTITY_FIELDS", "LIST_FIELDS", "LIST_TITLES", "ActivityTable", "Document", "Row", "activity_table",
    "date_text", "document", "flowchart_svg", "form_values", "identity_rows", "lanes_of", "meta_of", "pdf",
    "pdf_filename", "require_admin", "signer_lines", "table_from_xml", "update_meta", "version_numbers",
    "version_of",
]
