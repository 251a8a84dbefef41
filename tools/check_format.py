#!/usr/bin/env python3
"""Fails if any C++ file differs from what clang-format (with the checked-in
.clang-format) would produce. Usage: check_format.py ROOT CLANG_FORMAT"""
import pathlib
import subprocess
import sys

FOLDERS = ("core", "sim", "scenarios", "replay", "fuzz", "tests", "bench")


def main():
    root = pathlib.Path(sys.argv[1])
    clang_format = sys.argv[2]
    files = [str(p) for folder in FOLDERS for p in sorted((root / folder).rglob("*"))
             if p.suffix in {".cpp", ".hpp"}]
    result = subprocess.run([clang_format, "--dry-run", "--Werror", *files],
                            cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr[:5000])
        print("format: run `clang-format -i` on the files above")
        return 1
    print(f"format: {len(files)} files clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
