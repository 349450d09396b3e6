"""civnet's command line: thin commands that parse, call the library and render.

The measure commands are generated from the catalog (:mod:`civnet.cli.generate`) once the
modules holding their renderers and hand-written commands are imported.
"""

from civnet.cli.app import app, main
from civnet.cli.commands import (  # noqa: F401  (register commands)
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
from civnet.cli.generate import generate_commands

generate_commands()

__all__ = ["app", "main"]
