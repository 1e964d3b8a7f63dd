"""Write the hostile-input corpus (tests/hostile/corpus.py) to a folder, to try each file by hand.

Usage: python scripts/make_hostile_corpus.py OUT_DIR
Each file is listed with what makes it hostile and the commands the test suite gives it to.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile.corpus import CASES, build_all  # noqa: E402


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = Path(sys.argv[1])
    paths = build_all(folder)
    for case in CASES:
        commands = ", ".join(command[0] for command in case.commands)
        print(f"{paths[case.name]}: {case.why} (given to: {commands})")


if __name__ == "__main__":
    main()
