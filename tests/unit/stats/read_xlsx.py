#!/usr/bin/python3
"""Reads an .xlsx with openpyxl (an independent reader: Debian python3-openpyxl)
and prints, as JSON, the first sheet's name and every non-empty cell with its
value, its type (openpyxl data_type: s string, n number) and number format.
Used by tests/unit/stats/monthly_report_xlsx_test.cpp. Fails loudly when
openpyxl is missing (scripts/install-deps)."""
import json
import sys

try:
    import openpyxl
except ImportError:
    sys.exit("FAIL: python3-openpyxl is not installed (scripts/install-deps)")

wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
cells = {}
for row in ws.iter_rows():
    for c in row:
        if c.value is None:
            continue
        cells[c.coordinate] = {"value": c.value, "type": c.data_type, "format": c.number_format}
json.dump({"sheets": wb.sheetnames, "cells": cells}, sys.stdout, ensure_ascii=False)
