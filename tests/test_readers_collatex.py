"""CollateX JSON witnesses in (the ``collatex`` reader), CollateX alignment table out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import collatio
from collatio.errors import InputError
from collatio.readers import ReadOptions, choose_reader, get_reader
from collatio.render import get_renderer


def write(tmp_path: Path, data: object, name: str = "w.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_pretokenized_witnesses_keep_their_tokens_and_norms(tmp_path: Path) -> None:
    path = write(tmp_path, {"witnesses": [
        {"id": "A", "tokens": [{"t": "Black ", "n": "black"}, {"t": "cat", "n": "cat"}]},
        {"id": "B", "tokens": [{"t": "black ", "n": "black"}, {"t": "dog", "n": "dog"}]},
    ]})
    apparatus = collatio.collate([path])
    assert apparatus.sigla == ("A", "B")
    (unit,) = apparatus.units
    assert [(r.text, r.witnesses) for r in unit.readings] == [("cat", ("A",)), ("dog", ("B",))]
    table = json.loads(get_renderer("collatex").render(apparatus))
    assert table == {
        "witnesses": ["A", "B"],
        "table": [
            [[{"t": "Black ", "n": "black"}], [{"t": "cat", "n": "cat"}]],
            [[{"t": "black ", "n": "black"}], [{"t": "dog", "n": "dog"}]],
        ],
    }


def test_content_witnesses_are_tokenized(tmp_path: Path) -> None:
    path = write(tmp_path, {"witnesses": [{"id": "A", "content": "The cat sat."},
                                          {"id": "B", "content": "The cat sat down."}]})
    apparatus = collatio.collate([path])
    (unit,) = apparatus.units  # the full stop both share is no variant, nor is "sat"
    assert [r.text for r in unit.readings] == ["", "down"]


@pytest.mark.parametrize(
    ("head", "name", "reader"),
    [
        (b'{"witnesses": []}', "w.txt", "collatex"),  # the content decides, not the name
        (b'\xef\xbb\xbf  {"witnesses": [{"id": "A"', "-", "collatex"),
        (b"plain text", "w.json", "collatex"),  # unknown content: the name decides
        (b"plain text", "w.txt", "text"),
        (b'{"format": "collatio-apparatus/1", "witnesses": []}', "w.json", "collatio-json"),
    ],
)
def test_detection(head: bytes, name: str, reader: str) -> None:
    assert choose_reader(head, name).reader.name == reader


def test_token_properties_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, {"witnesses": [
        {"id": "A", "tokens": [{"t": "Black ", "page": "1r"}, {"t": "cat", "page": "1v",
                                                               "line": 3}]},
    ]})
    result = get_reader("collatex").read(path.read_bytes(), str(path), ReadOptions())
    (state,) = result.witnesses[0].states
    assert state.text == "Black cat"
    assert state.cuts is not None
    assert [c.properties for c in state.cuts] == [(("page", "1r"),),
                                                  (("page", "1v"), ("line", "3"))]
    from collatio.tokens import tokenize

    tokens = tokenize(state, "A")
    assert tokens.surfaces == ("Black", "cat") and tokens.norms == ("Black", "cat")
    assert tokens.properties == {0: (("page", "1r"),), 1: (("page", "1v"), ("line", "3"))}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"witness": []}, 'expected CollateX witnesses'),
        ({"witnesses": [{"tokens": []}]},
         "witnesses[0]: each witness needs a non-empty string 'id'"),
        ({"witnesses": [{"id": "A"}]}, "witnesses[0]: needs 'tokens'"),
        ({"witnesses": [{"id": "A", "tokens": [{"n": "x"}]}]},
         "witnesses[0].tokens[0]: each token"),
        ({"witnesses": [{"id": "A", "tokens": [{"t": "  "}]}]}, "is only whitespace"),
    ],
)
def test_bad_input_names_the_entry(tmp_path: Path, data: object, message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(InputError) as info:
        get_reader("collatex").read(path.read_bytes(), str(path), ReadOptions())
    assert message in str(info.value) and str(path) in str(info.value)


def test_invalid_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"witnesses": [\n  {"id": }\n]}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        collatio.collate([path])
    assert str(info.value).startswith(f"{path}:2:")


def test_json_witnesses_collate_with_transcriptions(tmp_path: Path) -> None:
    path = write(tmp_path, {"witnesses": [{"id": "A", "tokens": [{"t": "the "}, {"t": "cat"}]}]})
    other = tmp_path / "B.txt"
    other.write_text("the dog", encoding="utf-8")
    apparatus = collatio.collate([path, other])
    assert apparatus.sigla == ("A", "B")
    (unit,) = apparatus.units
    assert [(r.text, r.witnesses) for r in unit.readings] == [("cat", ("A",)), ("dog", ("B",))]
