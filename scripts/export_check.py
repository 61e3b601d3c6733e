"""The user export read by an independent reader (openpyxl, from PyPI), against a real server.

`seed DB`: adds 3,000 pupils to the demo's SQLite file (before the server starts), among them
names a spreadsheet must keep as they are: accents, markup characters, a formula, a control
character. `check URL`: signs in as the demo's administrator, downloads the list (every site)
as .xlsx and as CSV, and requires of the .xlsx: it opens; one sheet, its header bold and
frozen, its columns given a width; the same rows as the CSV, in the same order; the special
names intact (the formula neutralised by a leading apostrophe). Also that it arrived in parts
(streamed, not built whole before the first byte).
"""
import csv
import http.cookiejar
import io
import re
import sys
import time
import urllib.parse
import urllib.request
import uuid


SPECIAL = [
    ("x.emile", "Émile", "Lefèvre"),
    ("x.markup", "<Tom & \"Jerry\">", "O'Brien"),
    ("x.formula", "=1+2", "Formule"),
    ("x.bell", "Bel\x07l", "_x0041_ Escape"),
]
EXTRA = 3_000


def seed(db):
    # The server's SQLite has FTS5 options newer than Debian's: a recent SQLite from PyPI.
    import pysqlite3 as sqlite3

    conn = sqlite3.connect(db)
    site, created = conn.execute(
        "SELECT site_id, created_at FROM users WHERE username = 'lotte.janssens'"
    ).fetchone()
    rows = [(f"x.pupil{n:05}", "Pupil", f"Number {n:05}") for n in range(EXTRA)] + SPECIAL
    conn.executemany(
        "INSERT INTO users (public_id, site_id, username, first_name, last_name, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(uuid.uuid4().bytes, site, u, f, l, created) for (u, f, l) in rows],
    )
    conn.commit()


def signed_in(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode(
        {"username": "directeur", "password": "Horizon-2026", "next": "/admin"}
    ).encode()
    opener.open(f"{base}/api/login", data=form).read()
    return opener


def download(opener, url):
    """The body, the number of reads it arrived in, and the seconds to its first byte."""
    started = time.monotonic()
    with opener.open(url) as response:
        assert response.status == 200, response.status
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers.get("Content-Length") is None, "sent as it is made"
        parts, first, body = 0, None, b""
        while chunk := response.read1(1 << 16):
            parts += 1
            first = first if first is not None else time.monotonic() - started
            body += chunk
    return body, parts, first


def unescaped(text):
    """ECMA-376's `_xHHHH_` escapes decoded, as Excel does (openpyxl leaves them in inline
    strings): how a character XML cannot hold travels in a cell."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def check(base):
    import openpyxl  # in the checkers' environment (scripts/py-venv.sh)

    opener = signed_in(base)
    xlsx, xlsx_parts, first = download(opener, f"{base}/admin/users/export.xlsx?all=1")
    text, csv_parts, _ = download(opener, f"{base}/admin/users/export.csv?all=1")
    print(f"export: .xlsx {len(xlsx)} bytes in {xlsx_parts} reads (first byte after {first:.3f} s); "
          f"CSV {len(text)} bytes in {csv_parts} reads")
    assert xlsx_parts > 1 and csv_parts > 1, "both sent in parts"

    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2", sheet.freeze_panes
    assert sheet["A1"].font.b, "bold header"
    assert sheet["A1"].value == "Gebruikersnaam", sheet["A1"].value
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHI"]
    assert all(w and w >= 10 for w in widths), widths
    rows = [[unescaped("" if v is None else str(v)) for v in row]
            for row in sheet.iter_rows(values_only=True)]

    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == len(lines), (len(rows), len(lines))
    assert len(rows) > EXTRA + len(SPECIAL), len(rows)
    for a, b in zip(rows, lines):
        assert a[: len(b)] == b, (a, b)

    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["x.emile"][1:3] == ["Émile", "Lefèvre"]
    assert by_name["x.markup"][1:3] == ["<Tom & \"Jerry\">", "O'Brien"]
    assert by_name["x.formula"][1] == "'=1+2", by_name["x.formula"]
    assert by_name["x.bell"][1:3] == ["Bel\x07l", "_x0041_ Escape"], by_name["x.bell"]
    print(f"export: {len(rows) - 1} users, the same in .xlsx (openpyxl) and CSV")


if __name__ == "__main__":
    {"seed": seed, "check": check}[sys.argv[1]](sys.argv[2])
