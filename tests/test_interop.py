"""CollateX JSON witnesses in, CollateX alignment table out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import collatio
from collatio.errors import CollationError, InputError
from collatio.interop import is_collatex_json, read_collatex_witnesses
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
    (unit,) = apparatus.units
    assert unit.readings[1].text == "down"


def test_detection() -> None:
    assert is_collatex_json('{"witnesses": []}')
    assert not is_collatex_json("plain text")
    assert not is_collatex_json("{broken")


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
        read_collatex_witnesses(path.read_text(), str(path))
    assert message in str(info.value) and str(path) in str(info.value)


def test_invalid_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"witnesses": [\n  {"id": }\n]}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        collatio.collate([path])
    assert str(info.value).startswith(f"{path}:2:")


def test_json_cannot_be_mixed_with_transcriptions(tmp_path: Path) -> None:
    path = write(tmp_path, {"witnesses": [{"id": "A", "content": "x"}]})
    other = tmp_path / "b.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(CollationError, match="cannot be mixed"):
        collatio.collate([path, other])
