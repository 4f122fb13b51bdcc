"""The report tasks: extract, structure, impression, simplify and protocol."""
