"""Thin Typer commands, one module per command. Heavy imports stay inside the functions so
that `tinnhiem --help` starts fast."""
