"""The monthly "Laporan Penyebarluasan Data": the figures of the service standard for a month,
its publications, its overdue cases and the complaints from the public; as a PDF to print and
sign for the manual archive, and as an XLSX workbook with a sheet per section.

The figures come from :mod:`app.supervision.stats`; ``now`` is passed in. The PDF is A4 and uses
DejaVu Sans (Debian's fonts-dejavu-core) when it is installed, so that every Indonesian text
prints as typed; without it, the core Helvetica with Latin-1 text (other characters replaced).

- :mod:`.content`: what the report holds and how its values read;
- :mod:`.pdf`: the PDF, a function per section;
- :mod:`.xlsx`: the workbook, a function per sheet.
"""
from .content import Report, filename, monthly, number, percent
from .pdf import pdf
from .xlsx import DATE_FORMAT, xlsx

__all__ = ["DATE_FORMAT", "Report", "filename", "monthly", "number", "percent", "pdf", "xlsx"]
