"""The reader registry: choosing a reader by content then name, --from, standard input,
--siglum, collatio's own outputs read back, and any bytes giving witnesses or a located error."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collatio
from collatio.cli import main
from collatio.errors import CollatioError
from collatio.readers import (
    Product,
    Reader,
    ReaderError,
    ReadOptions,
    choose_reader,
    get_reader,
    reader_names,
    readers,
)
from collatio.readers.base import register_entry_points
from collatio.witness import ParseResult

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


def test_every_reader_is_described() -> None:
    names = reader_names()
    assert {"text", "collatex", "collatio-tei", "collatio-json"} <= set(names)
    for cls in readers():
        assert cls.name and cls.summary, cls
        assert cls.filenames, cls
        assert get_reader(cls.name).name == cls.name
        for alias in cls.aliases:
            assert get_reader(alias).name == cls.name


def test_inputs_doc_shows_every_format() -> None:
    """docs/inputs.md has a section per built-in reader, with an example that runs (the docs
    test runs it) and what is kept, set aside and refused."""
    doc = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    parts = re.split(r"^### ", doc.split("## Format by format", 1)[1], flags=re.M)[1:]
    sections = {name: part for part in parts
                for name in re.findall(r"`([\w-]+)`", part.splitlines()[0])}
    builtin = [cls.name for cls in readers() if cls.__module__.startswith("collatio.")]
    for name in builtin:
        section = sections.get(name)
        assert section is not None, f"no section for {name}"
        assert "```" in section and "not-run" not in section, name
        for said in ("**Kept**", "**Set aside**", "**Refused**"):
            assert said in section, (name, said)


def test_unknown_reader_lists_the_formats() -> None:
    with pytest.raises(ReaderError, match=r"unknown input format 'nosuch'; formats: .*text"):
        get_reader("nosuch")


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_sniffing_is_bounded_and_never_raises(head: bytes) -> None:
    for cls in readers():
        assert 0.0 <= cls.sniff(head) <= 1.0
    assert choose_reader(head, "x.bin").reader.name in reader_names()


def test_content_first_then_name_then_text() -> None:
    collatex = b'{"witnesses": [{"id": "A", "content": "x"}]}'
    assert choose_reader(collatex, "notes.txt").reader.name == "collatex"
    assert choose_reader(b"just words", "w.json").reader.name == "collatex"
    assert choose_reader(b"just words", "w.txt").reader.name == "text"
    assert choose_reader(b"just words", "noname").reader.name == "text"
    assert choose_reader(b"\x00\x01\x02", "noname").reason == "default (plain text)"
    assert choose_reader(collatex, "w.json", "text").reader.name == "text"  # --from wins


class _Magic(Reader):
    """A reader defined outside the package: registered by subclassing."""

    name: ClassVar[str] = "test-magic"
    filenames: ClassVar[tuple[str, ...]] = ("*.magic",)
    summary: ClassVar[str] = "a test format"

    @classmethod
    def sniff(cls, head: bytes) -> float:
        return 1.0 if head.startswith(b"MAGIC") else 0.0

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        return get_reader("text").read(data[5:], path, options)


def test_a_new_format_is_one_class(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"MAGICthe cat")
    result = collatio.parse([path])
    assert result.witnesses[0].state("text").text == "the cat"
    assert result.sources[0].reader == "text"  # the magic reader handed over to text
    assert choose_reader(b"MAGIC", "x").reader.name == "test-magic"


def test_entry_points_register_readers() -> None:
    class Point:
        name = "magic"

        def __init__(self, target: Any) -> None:
            self.target = target

        def load(self) -> Any:
            return self.target

    register_entry_points([Point(_Magic)])  # already registered: nothing changes
    assert [cls for cls in readers() if cls is _Magic] == [_Magic]
    with pytest.raises(RuntimeError, match="not a named Reader subclass"):
        register_entry_points([Point(object)])


def _plugin_folder(tmp_path: Path, group: str = "collatio.readers") -> Path:
    """A folder as pip leaves one: a module with a reader, and a dist-info declaring it."""
    (tmp_path / "plugin_reader.py").write_text(
        "from collatio.readers.base import Reader\n"
        "class PluginReader(Reader):\n"
        "    name = 'test-plugin'\n"
        "    @classmethod\n"
        "    def sniff(cls, head):\n"
        "        return 0.0\n",
        encoding="utf-8",
    )
    info = tmp_path / "plugin_reader-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: plugin-reader\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{group}]\ntest-plugin = plugin_reader:PluginReader\n",
                                           encoding="utf-8")
    return tmp_path


def test_plugin_readers_are_looked_for_only_where_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """importlib.metadata (a tenth of a second to import) is asked only when a metadata
    folder on the path names the group, or when it would look elsewhere too."""
    import importlib.machinery

    from collatio.readers.base import _may_declare

    # only the standard finders: another test's import may have added one that finds
    # distributions too (which rightly makes the answer yes, tried at the end)
    standard = [f for f in sys.meta_path if not hasattr(f, "find_distributions")
                or f is importlib.machinery.PathFinder]
    monkeypatch.setattr(sys, "meta_path", standard)
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert not _may_declare("collatio.readers")
    _plugin_folder(tmp_path, group="other.group")
    assert not _may_declare("collatio.readers")
    egg = tmp_path / "x.egg" / "EGG-INFO"
    egg.mkdir(parents=True)
    (egg / "entry_points.txt").write_text("[collatio.readers]\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(tmp_path / "x.egg")])
    assert _may_declare("collatio.readers")
    archive = tmp_path / "lib.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(archive)])
    assert _may_declare("collatio.readers")  # importlib.metadata reads archives: ask it

    class Finder:  # a finder of distributions beside the path's (an editable install's)
        @staticmethod
        def find_distributions(*args: object, **kwargs: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.setattr(sys, "meta_path", [*standard, Finder])
    assert _may_declare("collatio.readers")


def test_an_installed_plugin_reader_is_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import collatio.readers.base as base

    monkeypatch.syspath_prepend(str(_plugin_folder(tmp_path)))
    monkeypatch.setattr(base, "_LOADED", [])
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    monkeypatch.setattr(base, "_ORDER", list(base._ORDER))
    assert "test-plugin" in [cls.name for cls in readers()]
    sys.modules.pop("plugin_reader", None)


def test_reader_options_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(ReaderError, match="the text reader has no option 'choice'"):
        collatio.parse([path], options={"choice": "corr"})
    err = io.StringIO()
    assert main(["parse", str(path), "-I", "choice=corr"], stdout=io.StringIO(),
                stderr=err) == 2
    assert "no option 'choice'" in err.getvalue()
    assert main(["parse", str(path), "-I", "novalue"], stdout=io.StringIO(),
                stderr=io.StringIO()) == 2
    assert main(["parse", str(path), "--from", "nosuch"], stdout=io.StringIO(),
                stderr=err) == 2
    assert "unknown input format 'nosuch'" in err.getvalue()


# --- standard input ---------------------------------------------------------------------------


class _Stdin(io.TextIOWrapper):
    pass


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(io.BytesIO(data), encoding="utf-8"))


def test_standard_input_for_parse_and_collate(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, b"I sent [it] *them* today.")
    out = io.StringIO()
    assert main(["parse", "-", "--convention", "hand-revision", "--format", "json"],
                stdout=out) == 0
    (witness,) = json.loads(out.getvalue())["witnesses"]
    assert witness["id"] == "A" and witness["source"]["path"] == "<stdin>"
    assert witness["states"] == {"ante": "I sent it today.", "post": "I sent them today."}
    stdin(monkeypatch, SEED_002.read_bytes())
    out = io.StringIO()
    assert main(["collate", "-", "--format", "json"], stdout=out) == 0
    direct = io.StringIO()
    assert main(["collate", str(SEED_002), "--format", "json"], stdout=direct) == 0
    def readings(text: str) -> list[Any]:
        return [[(r["text"], r["witnesses"], r["source"]) for r in u["readings"]]
                for u in json.loads(text)["apparatus"]]

    assert readings(out.getvalue()) == readings(direct.getvalue().replace(
        json.dumps(str(SEED_002))[1:-1], "<stdin>"))


def test_standard_input_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, json.dumps({"witnesses": [{"id": "A", "content": "the cat"},
                                                 {"id": "B", "content": "the dog"}]}).encode())
    out = io.StringIO()
    assert main(["collate", "-", "--format", "json"], stdout=out) == 0
    assert [w["id"] for w in json.loads(out.getvalue())["witnesses"]] == ["A", "B"]


def test_standard_input_once(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, b"x")
    err = io.StringIO()
    assert main(["collate", "-", "-"], stdout=io.StringIO(), stderr=err) == 2
    assert "only once" in err.getvalue()


def test_standard_input_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, b"x" * 100)
    err = io.StringIO()
    assert main(["parse", "-", "--max-bytes", "10"], stdout=io.StringIO(), stderr=err) == 1
    assert err.getvalue().startswith("collatio: <stdin>: standard input holds more than 10")


# --- sigla ------------------------------------------------------------------------------------


def test_sigla_name_witnesses_in_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("the cat", encoding="utf-8")
    b.write_text("the dog", encoding="utf-8")
    apparatus = collatio.collate([a, b], sigla=["X", "Y"])
    assert apparatus.sigla == ("X", "Y")
    result = collatio.parse([SEED_002, a], sigla=["D=Draft", "a=A1"])
    assert [w.siglum for w in result.witnesses] == ["F", "Draft", "A1"]


@pytest.mark.parametrize(
    ("sigla", "message"),
    [
        (["X"], "1 sigla given (--siglum) for 2 witnesses (a, b)"),
        (["X", "X"], "X would name two witnesses"),
        (["X", "a=Y"], "not both"),
        (["c=Y"], "no witness 'c'; the witnesses are a, b"),
        (["X Y", "Z"], "a siglum is a word with no spaces"),
    ],
)
def test_bad_sigla(tmp_path: Path, sigla: list[str], message: str) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("the cat", encoding="utf-8")
    b.write_text("the dog", encoding="utf-8")
    with pytest.raises(ReaderError) as info:
        collatio.parse([a, b], sigla=sigla)
    assert message in str(info.value)
    err = io.StringIO()
    args = [f"--siglum={s}" for s in sigla]
    assert main(["collate", str(a), str(b), *args], stdout=io.StringIO(), stderr=err) == 2


def test_sigla_settle_duplicates(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("the cat", encoding="utf-8")
    other = tmp_path / "x"
    other.mkdir()
    (other / "a.txt").write_text("the dog", encoding="utf-8")
    named = collatio.parse([a, other / "a.txt"], sigla=["A", "B"], strict=True)
    assert [w.siglum for w in named.witnesses] == ["A", "B"] and named.diagnostics == ()
    with pytest.raises(CollatioError, match="siglum 'a' is already taken"):
        collatio.parse([a, other / "a.txt"], strict=True)


# --- collatio's own outputs as input --------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("own")
    out = {}
    for name, suffix in (("json", ".json"), ("tei", ".tei.xml")):
        path = directory / f"seed{suffix}"
        assert main(["collate", str(SEED_002), "-o", str(path)], stdout=io.StringIO()) == 0
        out[name] = path
    return out


@pytest.mark.parametrize("name", ["json", "tei"])
def test_own_output_alone_is_read_back_exactly(written: dict[str, Path], name: str) -> None:
    direct = collatio.collate([SEED_002])
    again = collatio.collate([written[name]])
    assert again.units == direct.units and again.sigla == direct.sigla


@pytest.mark.parametrize("name", ["json", "tei"])
def test_own_output_gives_its_witnesses(written: dict[str, Path], name: str) -> None:
    source = collatio.parse([SEED_002])
    rebuilt = collatio.parse([written[name]])
    assert rebuilt.sources[0].reader == f"collatio-{name}"
    assert [w.siglum for w in rebuilt.witnesses] == ["F", "D"]
    for old, new in zip(source.witnesses, rebuilt.witnesses, strict=True):
        assert [s.id for s in new.states] == [s.id for s in old.states]
        assert [s.text for s in new.states] == [s.text for s in old.states]
        assert new.metadata.date == old.metadata.date
        kinds = [(span.kind, span.label) for span, _ in old.spans()]
        assert [(span.kind, span.label) for span, _ in new.spans()] == kinds


def test_own_json_is_not_taken_for_collatex(written: dict[str, Path]) -> None:
    head = written["json"].read_bytes()[:4096]
    assert choose_reader(head, "seed.json").reader.name == "collatio-json"
    assert choose_reader(head, "seed.json").reader.product is Product.APPARATUS


# --- any input: witnesses or a located error ----------------------------------------------------


@given(data=st.binary(max_size=400))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.parametrize("name", ["text", "collatex", "collatio-json", "collatio-tei", "tei",
                                  "tei-parallel", "docx", "markdown"])
def test_any_bytes_give_witnesses_or_a_located_error(
    tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / "input"
    path.write_bytes(data)
    try:
        result = collatio.parse([path], from_=name)
    except CollatioError as error:
        assert error.path == str(path)
        assert str(error).startswith(str(path))
        return
    assert all(w.path == str(path) for w in result.witnesses)


_LOADED_AFTER = """
import sys, collatio
collatio.collate(sys.argv[1:])
print(" ".join(sorted(m for m in sys.modules if m.startswith("collatio.readers._"))))
"""


def _reader_helpers_loaded(*files: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _LOADED_AFTER, *map(str, files)],
                          capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_plain_texts_do_not_load_the_xml_reader(tmp_path: Path) -> None:
    """Every reader sniffs every file, but the XML parser and the TEI transcriber are
    imported only when a file is read as XML: collating plain texts never pays for them."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("War, not peace.\n", encoding="utf-8")
    b.write_text("War and peace.\n", encoding="utf-8")
    assert not {"collatio.readers._xml", "collatio.readers._transcribe"} & \
        _reader_helpers_loaded(a, b)
    tei = tmp_path / "c.xml"
    tei.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>War and '
                   '<del>no</del> peace.</p></body></text></TEI>\n', encoding="utf-8")
    assert {"collatio.readers._xml", "collatio.readers._transcribe"} <= \
        _reader_helpers_loaded(a, tei)
