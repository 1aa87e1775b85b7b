"""``python -m lapor_bridge`` runs the command line."""

from lapor_bridge.cli import main

main()
