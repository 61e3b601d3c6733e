#!/usr/bin/python3
"""Fills a downloaded import template the way an administrator does in a spreadsheet program:
the example rows are replaced by the rows given on standard input (one per line, cells
separated by ';'), and the workbook is saved as .xlsx (python3-openpyxl, used by the browser
test of the import).

    fill-template.py TEMPLATE.xlsx FILLED.xlsx < rows.txt
"""
import sys

import openpyxl


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    book = openpyxl.load_workbook(source)
    sheet = book.worksheets[0]
    sheet.delete_rows(2, sheet.max_row)
    for line in sys.stdin.read().splitlines():
        if line.strip():
            sheet.append([cell if cell != "" else None for cell in line.split(";")])
    book.save(target)


if __name__ == "__main__":
    main()
