"""``python -m confiance`` runs the command line."""

from confiance.cli import main

main()
