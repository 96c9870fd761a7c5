"""Pure core: rules, eligibility, sessions and tally. No CLI, no terminal, no file formats."""
