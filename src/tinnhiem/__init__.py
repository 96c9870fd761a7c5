"""tinnhiem: confidence votes (lấy phiếu tín nhiệm) on public leaders, end to end."""

__version__ = "0.1.0"
