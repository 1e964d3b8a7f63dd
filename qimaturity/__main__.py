"""``python -m qimaturity`` runs the command line."""

from .cli import main

main()
