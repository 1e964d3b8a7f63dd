"""``python -m qimaturity`` runs the command line."""

from qimaturity.cli.main import main

main()
