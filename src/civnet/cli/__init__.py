"""civnet's command line: thin commands that parse, call the library and render."""

from civnet.cli import (  # noqa: F401  (register commands)
    data_cmds,
    event_cmds,
    inference_cmds,
    measure_cmds,
    product_cmds,
    scenario_cmds,
    structure_cmds,
    time_cmds,
    toolkit_cmds,
)
from civnet.cli.app import app, main

__all__ = ["app", "main"]
