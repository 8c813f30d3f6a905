"""Checks that every code block of a doc that follows a `<!-- file: PATH -->` line is exactly the
file PATH of the repository (the tests run those files, so the doc's programs run as written).

    doc_snippets.py [--fix] REPO_ROOT DOC...     (--fix rewrites the blocks from the files)
"""
import pathlib
import re
import sys

args = sys.argv[1:]
fix = args[:1] == ["--fix"]
if fix:
    args = args[1:]
root = pathlib.Path(args[0])
marker = re.compile(r"<!-- file: (\S+) -->\n+```[a-z]*\n(.*?)```\n", re.S)
failures = checked = 0
for doc in args[1:]:
    text = (root / doc).read_text()
    if fix:
        text = marker.sub(
            lambda m: m.group(0).replace(m.group(2), (root / m.group(1)).read_text()), text)
        (root / doc).write_text(text)
    for m in marker.finditer(text):
        checked += 1
        path, block = m.group(1), m.group(2)
        actual = (root / path).read_text()
        if block != actual:
            failures += 1
            print(f"{doc}: the block for {path} differs from the file")
if checked == 0:
    print("no <!-- file: --> blocks found")
    sys.exit(1)
print(f"{checked} blocks checked, {failures} differ")
sys.exit(1 if failures else 0)
