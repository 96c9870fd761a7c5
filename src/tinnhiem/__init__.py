"""tinnhiem: confidence votes (lấy phiếu tín nhiệm) on public leaders, end to end."""

import os

__version__ = "0.1.0"

# Same bytes on every machine: openpyxl serialises through lxml when lxml happens to be
# installed, and through et_xmlfile otherwise, and the two write different bytes (so two offices
# would get different digests for the same count). The choice is made when openpyxl is first
# imported, from this variable: tinnhiem always takes the et_xmlfile path.
os.environ["OPENPYXL_LXML"] = "False"
