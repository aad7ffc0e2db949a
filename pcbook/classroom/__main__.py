"""``python -m pcbook.classroom student|index``: see :mod:`pcbook.classroom`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pcbook.classroom.exercises import ROOT
from pcbook.classroom.index import index_markdown
from pcbook.classroom.student import write_students


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pcbook.classroom")
    sub = parser.add_subparsers(dest="command", required=True)
    student = sub.add_parser("student", help="write the student notebooks")
    student.add_argument("--out", default=str(ROOT / "build" / "student"))
    student.add_argument("--zip", default=None)
    index = sub.add_parser(
        "index", help="print (or --write) the exercises index page"
    )
    index.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "student":
        written = write_students(
            Path(args.out), Path(args.zip) if args.zip else None
        )
        print(
            f"wrote {len(written)} student notebooks to {args.out}"
            + (f" and {args.zip}" if args.zip else "")
        )
    else:
        text = index_markdown()
        if args.write:
            (ROOT / "book" / "exercises.md").write_text(text)
        else:
            print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
