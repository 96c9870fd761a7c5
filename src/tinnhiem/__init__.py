"""tinnhiem: confidence votes (lấy phiếu tín nhiệm) on public leaders, end to end."""

import os

# python-docx brings lxml, and openpyxl switches its XML writer to lxml when it finds it: other
# bytes for the same workbook than io/xlsx.write_tables() writes, and than the tool wrote before.
# OPENPYXL_LXML is openpyxl's own switch; it is read once, when openpyxl is first imported.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"
