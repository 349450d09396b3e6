"""The CLI's commands, by family; most are generated from the catalog (cli/generate.py)."""
