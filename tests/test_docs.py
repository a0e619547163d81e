"""Every code block of the README and docs/*.md runs and shows what it really does (see
:mod:`tests.support.docblocks` for how blocks are run and compared, and the comments that
mark an output, a file, or a block not to run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import docblocks
from tests.support.docblocks import ROOT, blocks, check_file, compare

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", docblocks.markdown_files(), ids=lambda p: p.name)
def test_every_code_block_runs_and_shows_the_truth(path: Path) -> None:
    problems = check_file(path)
    assert not problems, "\n".join(problems)


def test_quick_start_is_two_commands_install_and_run_then_test() -> None:
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", README, re.S)
    assert block is not None
    commands = block.group(1).strip().splitlines()
    assert len(commands) == 2
    setup, test = commands
    assert 'pip install -e ".[test]"' in setup
    assert setup.endswith("collatio collate seeds/002_82ee7afc6dc33c74.txt")
    assert test == "python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[test]"' in ci
    assert "\npython -m pytest\n" in ci
    assert "collatio collate seeds/002_82ee7afc6dc33c74.txt" in ci


# --- the checker itself -----------------------------------------------------------------------


def test_an_output_matches_line_by_line_with_elisions() -> None:
    produced = "first line\nsecond: 12 words\nthird\nfourth\nlast\n"
    assert compare("first line\nsecond: ... words\n...\nlast\n", produced) is None
    assert compare("first line\n...\n", produced) is None
    assert compare("second: 12 words\n...", produced) is not None  # anchored at the start
    assert compare("first line\nsecond: 12 words\n", produced) is not None  # and at the end
    assert compare("first line\nsecond: 13 words\n...\n", produced) is not None
    assert compare("  first line\n...\n  last", produced, "unindented") is None
    assert compare("second: 12\nwords third", produced, "wrapped") is None
    assert compare("third ... last", produced, "wrapped") is None
    assert compare("last ... third", produced, "wrapped") is not None


def test_a_json_excerpt_is_part_of_the_output() -> None:
    produced = '{"a": 1, "b": [{"k": "long text here", "n": 2}, {"k": "x"}], "c": null}'
    assert compare('{"b": [{"k": "long ..."}, "..."], "...": "..."}', produced, "json") is None
    assert compare('{"b": [{"k": "x"}]}', produced, "json") is None
    assert compare('{"a": 2}', produced, "json") is not None
    assert compare('{"d": 1}', produced, "json") is not None
    assert compare('{"b": [{"k": "x"}, {"k": "long text here"}]}', produced, "json") is not None


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_stale_output_or_a_failing_example_is_caught(tmp_path: Path) -> None:
    good = write(tmp_path, """Some prose.

```python
import collatio
apparatus = collatio.collate_texts({"F": "I received your reply.", "D": "I got your reply."})
len(apparatus.units)   # 1
print(apparatus.units[0].type.value)
# substitution
```

<!-- output of: collatio formats text -->
```
text (also txt, terminal): ...
...
```
""")
    assert check_file(good) == []
    stale = write(tmp_path, good.read_text(encoding="utf-8")
                  .replace("# 1\n", "# 2\n").replace("# substitution", "# addition")
                  .replace("(also txt", "(also text"))
    problems = check_file(stale)
    assert len(problems) == 3, problems
    assert "shows 2, but it is 1" in problems[0]
    assert "not what it printed" in problems[1]
    assert "doc.md:12" in problems[2]
    broken = write(tmp_path, "```bash\ncollatio collate nosuch.txt\n```\n")
    assert "ended with status 1" in check_file(broken)[0]


def test_every_block_is_accounted_for(tmp_path: Path) -> None:
    doc = write(tmp_path, """```
an output of nothing in particular
```

<!-- not-run: -->
```bash
rm -rf /
```

<!-- not-run: an illustration -->
```
schematic
```

```toml
a = [
```
""")
    problems = check_file(doc)
    assert len(problems) == 3, problems
    assert "say what it is" in problems[0]
    assert "not-run needs a reason" in problems[1]
    assert "not toml" in problems[2]
    assert [b.directives for b in blocks(doc)][1:3] == [{"not-run": ""},
                                                         {"not-run": "an illustration"}]


def test_files_and_setup_come_before_the_blocks_that_read_them(tmp_path: Path) -> None:
    doc = write(tmp_path, """```python
from pathlib import Path
Path("made.txt").read_text()   # 'made by the setup\\n'
```

<!-- setup: printf 'made by the setup\\n' > made.txt -->
<!-- output of: cat later.toml -->
```
x = 1
```

<!-- file: later.toml -->
```toml
x = 1
```
""")
    problems = check_file(doc)
    # the python block runs before the setup (in order), the file exists from the start
    assert len(problems) == 1 and "FileNotFoundError" in problems[0], problems
