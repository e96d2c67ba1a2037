"""``python -m api.cli``: the ``lcagraph`` command line."""

from api.cli.app import main

main()
