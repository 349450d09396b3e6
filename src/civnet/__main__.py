"""``python -m civnet``: the same as the ``civnet`` command."""

from civnet.cli import main

main()
