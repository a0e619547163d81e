"""``collatio survey`` end to end: the seeds, a small planted archive, the outputs, resuming,
the command line, and the same answers on a two-worker ``distributed.LocalCluster``."""

from __future__ import annotations

import io
import json
import os
import random
import re
from pathlib import Path
from typing import Any

import jsonschema
import lxml.html
import pyarrow.parquet as pq
import pytest

import collatio
from collatio.cli import main
from collatio.survey import LinkKind, SurveyResult
from collatio.survey.outputs import to_data

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "survey.schema.json").read_text("utf-8"))

_WORDS = [
    "the", "of", "and", "to", "in", "that", "was", "for", "with", "as", "his", "on", "by", "at",
    "from", "which", "this", "had", "not", "are", "but", "have", "they", "were", "one", "would",
    "their", "all", "been", "when", "who", "will", "more", "no", "if", "out",
]


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    syllables = ["ka", "ro", "mi", "te", "lu", "san", "dor", "vel", "pri", "gos", "an", "ek"]
    forms: set[str] = set()
    while len(forms) < size:
        forms.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(forms)


def _text(rng: random.Random, vocabulary: list[str], words: int) -> list[list[str]]:
    """Paragraphs of words: a third function words, the rest content words."""
    paragraphs, left = [], words
    while left > 0:
        size = min(left, rng.randint(30, 60))
        paragraphs.append([rng.choice(_WORDS) if rng.random() < 0.35 else rng.choice(vocabulary)
                           for _ in range(size)])
        left -= size
    return paragraphs


def _edited(rng: random.Random, vocabulary: list[str], text: list[list[str]], rate: float,
            move: bool) -> list[list[str]]:
    out = [[rng.choice(vocabulary) if rng.random() < rate else w for w in p] for p in text]
    if move and len(out) > 2:
        out.insert(len(out), out.pop(0))
    return out


def _write(path: Path, paragraphs: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(" ".join(p).capitalize() + "." for p in paragraphs) + "\n",
                    encoding="utf-8")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three versions of one text, a quotation of 40-50 words, six unrelated documents."""
    rng = random.Random(14)
    vocabulary = _vocabulary(rng)
    folder = tmp_path_factory.mktemp("archive")
    base = _text(rng, vocabulary, 240)
    _write(folder / "a" / "version-1.txt", base)
    _write(folder / "b" / "version-2.txt", _edited(rng, vocabulary, base, 0.05, move=True))
    _write(folder / "version-3.txt", _edited(rng, vocabulary, base, 0.15, move=False))
    source = _text(rng, vocabulary, 200)
    quoted = source[1][:40] if len(source[1]) >= 40 else source[1] + source[2][:10]
    _write(folder / "source.txt", source)
    quoting = _text(rng, vocabulary, 220)
    quoting.insert(2, list(quoted))
    _write(folder / "quoting.txt", quoting)
    for k in range(6):
        _write(folder / "other" / f"unrelated-{k}.txt", _text(rng, vocabulary, 150 + 20 * k))
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")  # no reader claims it
    return {"folder": folder, "quoted": " ".join(quoted), "count": len(quoted)}


@pytest.fixture(scope="module")
def surveyed(archive: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[SurveyResult, Path]:
    out = tmp_path_factory.mktemp("out")
    return collatio.survey(archive["folder"], out, workers=1), out


def _name(result: SurveyResult, doc_id: str) -> str:
    return os.path.basename(result.document(doc_id).path)


def test_finds_the_family_and_nothing_else(surveyed: tuple[SurveyResult, Path]) -> None:
    result, _ = surveyed
    assert len(result.documents) == 11
    assert [sorted(_name(result, m) for m in f.members) for f in result.families] == [
        ["version-1.txt", "version-2.txt", "version-3.txt"]]
    family = result.families[0]
    assert len(family.pairs) == 3  # every pair of members aligned
    for pair in family.pairs:
        assert pair.kind is LinkKind.VERSION
        assert min(pair.coverage_a, pair.coverage_b) >= 0.5
        assert pair.evidence, "an accepted pair shows what it shares"
    moved = [p for p in family.pairs
             if {_name(result, p.a), _name(result, p.b)} == {"version-1.txt", "version-2.txt"}]
    assert moved[0].moved_words >= 20  # the paragraph moved to the end still counts
    assert min(moved[0].coverage_a, moved[0].coverage_b) > 0.9


def test_finds_the_quotation_with_both_places(
    surveyed: tuple[SurveyResult, Path], archive: dict[str, Any]
) -> None:
    result, _ = surveyed
    assert len(result.reuse) == 1
    link = result.reuse[0]
    assert {_name(result, link.a.document), _name(result, link.b.document)} == {
        "source.txt", "quoting.txt"}
    for extent in (link.a, link.b):
        lines = Path(result.document(extent.document).path).read_text("utf-8").split("\n")
        start = sum(len(line) + 1 for line in lines[: extent.line - 1]) + extent.column - 1
        end = sum(len(line) + 1 for line in lines[: extent.end_line - 1]) + extent.end_column - 1
        text = "\n".join(lines)[start:end]
        assert text == extent.text
        assert re.sub(r"\W+", " ", text).strip().lower() == archive["quoted"].lower()
    assert link.aligned_words == archive["count"] >= 40 and link.similarity == 1.0
    assert [s.tag for s in link.segments] == ["equal"]


def test_outputs(surveyed: tuple[SurveyResult, Path]) -> None:
    result, out = surveyed
    data = json.loads((out / "survey.json").read_text("utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert data == json.loads(json.dumps(to_data(result)))
    family = result.families[0]
    assert set(family.files) == {"json", "html"}
    apparatus = json.loads((out / family.files["json"]).read_text("utf-8"))
    assert len(apparatus["witnesses"]) == 3 and family.units == len(apparatus["apparatus"])
    links = pq.read_table(out / "survey.parquet").to_pylist()
    assert sorted(row["kind"] for row in links) == ["reuse", "version", "version", "version"]
    reuse = next(row for row in links if row["kind"] == "reuse")
    assert (reuse["a_line"], reuse["a_column"]) == (result.reuse[0].a.line,
                                                    result.reuse[0].a.column)
    assert pq.read_table(out / "documents.parquet").num_rows == 11
    page = lxml.html.fromstring((out / "index.html").read_bytes())
    assert page.xpath("//svg//circle") and len(page.xpath("//svg//a")) == 1
    assert page.xpath("//svg//a/@href") == [family.files["html"]]
    assert not page.xpath("//script") and not page.xpath("//link[@rel='stylesheet']")
    assert not list(out.rglob("*.tmp")), "no temporary file is left behind"


def test_seeds_and_revision_states(tmp_path: Path) -> None:
    result = collatio.survey(SEEDS, tmp_path, workers=1, formats=["json", "tei"])
    # seed 002 holds the final and the draft, seed 004 a telegram and the two it quotes
    assert len(result.documents) == 8
    (family,) = result.families
    assert [(result.document(m).siglum) for m in family.members] == ["F", "D"]
    pair = family.pairs[0]
    assert pair.kind is LinkKind.VERSION and pair.lacunose_words > 300  # F's [...] discounted
    apparatus = json.loads((tmp_path / family.files["json"]).read_text("utf-8"))
    assert [w["id"] for w in apparatus["witnesses"]] == ["F", "D-ac", "D-pc"]
    assert (tmp_path / family.files["tei"]).read_text("utf-8").startswith("<?xml")
    assert result.reuse == ()  # 000 answers 001 in its own words: no passage is shared
    assert result.document(result.documents[0].id).family is None


def test_rerun_reuses_finished_families(archive: dict[str, Any], tmp_path: Path) -> None:
    first = collatio.survey(archive["folder"], tmp_path, workers=1)
    edition = tmp_path / first.families[0].files["html"]
    stamp = edition.stat().st_mtime_ns
    second = collatio.survey(archive["folder"], tmp_path, workers=1)
    assert second.families[0].reused and edition.stat().st_mtime_ns == stamp
    assert to_data(second)["families"][0]["pairs"] == to_data(first)["families"][0]["pairs"]
    # a family left half-done (an interrupted run: no marker) is collated again
    (tmp_path / "families" / first.families[0].id / "family.json").unlink()
    third = collatio.survey(archive["folder"], tmp_path, workers=1)
    assert not third.families[0].reused and third.families[0].units == first.families[0].units


def _comparable(result: SurveyResult) -> dict[str, Any]:
    data = to_data(result)
    for key in ("engine", "summary"):
        data.pop(key)
    for family in data["families"]:
        family.pop("reused")
    return data


def test_local_cluster_gives_the_default_runs_answers(
    archive: dict[str, Any], surveyed: tuple[SurveyResult, Path], tmp_path: Path
) -> None:
    import distributed  # the test extra installs it: a missing one fails, never skips
    local = collatio.survey(archive["folder"], tmp_path / "local", workers=2)
    assert local.engine.startswith("dask, local processes (2")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        stream = io.StringIO()
        clustered = collatio.survey(archive["folder"], tmp_path / "cluster",
                                    scheduler=cluster.scheduler_address, progress=stream)
    assert clustered.engine.startswith("dask.distributed at tcp://")
    steps = _steps_done(stream.getvalue())  # the cluster's tasks counted as they finish
    assert steps["verifying"][0] == steps["verifying"][1] >= 1, stream.getvalue()
    assert steps["collating"][0] == steps["collating"][1] >= 1
    assert _comparable(clustered) == _comparable(local) == _comparable(surveyed[0])


def test_command_line(archive: dict[str, Any], tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(["survey", str(archive["folder"]), "--out", str(tmp_path), "--workers", "1",
                   "--format", "json,text"], stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    summary = out.getvalue()
    assert summary.startswith("survey: 11 documents (")
    assert "families: 1 (1 of 3 members)" in summary and "reuse links: 1" in summary
    assert err.getvalue() == ""  # progress only on a terminal
    data = json.loads((tmp_path / "survey.json").read_text("utf-8"))
    assert set(data["families"][0]["files"]) == {"json", "text"}


def test_summary_is_escaped_for_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ok.txt").write_text("Some words here.\n", encoding="utf-8")
    (tmp_path / "in" / "bad\x1b[31m.txt").write_bytes(b"\xff\xfe\x00broken \x9b")
    out = io.StringIO()
    status = main(["survey", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                   "--workers", "1"], stdout=out, stderr=io.StringIO())
    assert status == 0
    text = out.getvalue()
    assert "\x1b" not in text and "\\x1b[31m" in text and "skipped" in text


@pytest.mark.parametrize(("argv", "status", "message"), [
    (["--workers", "0"], 2, "--workers must be at least 1"),
    (["--format", "nonsense"], 2, "nonsense"),
    (["--family-threshold", "1.5"], 2, "between 0 and 1"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], 2, "--workers is for local"),
])
def test_usage_errors(argv: list[str], status: int, message: str, tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(["survey", str(SEEDS), "--out", str(tmp_path), *argv],
                stdout=io.StringIO(), stderr=err)
    assert code == status and message in err.getvalue()


def test_input_errors(tmp_path: Path) -> None:
    err = io.StringIO()
    missing = tmp_path / "nowhere"
    assert main(["survey", str(missing), "--out", str(tmp_path / "o")],
                stdout=io.StringIO(), stderr=err) == 1
    assert err.getvalue().startswith(f"collatio: {missing}") and "no such file" in err.getvalue()
    (tmp_path / "empty").mkdir()
    err = io.StringIO()
    assert main(["survey", str(tmp_path / "empty"), "--out", str(tmp_path / "o")],
                stdout=io.StringIO(), stderr=err) == 1
    assert "no documents to survey" in err.getvalue()


def test_unreachable_scheduler_is_an_input_error(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(["survey", str(SEEDS), "--out", str(tmp_path), "--scheduler",
                 "tcp://127.0.0.1:9"], stdout=io.StringIO(), stderr=err)
    assert code == 1 and "cannot reach the Dask scheduler" in err.getvalue()


def test_an_interrupted_survey_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped in the middle of collating (here: the second family's collation is
    interrupted), a survey leaves the finished family whole and nothing half-written; run
    again with the same OUT, it reuses that family and collates the rest."""
    import collatio.survey.collate as collating

    rng = random.Random(50)
    vocabulary = _vocabulary(rng)
    folder = tmp_path / "in"
    for name in ("first", "second"):
        base = _text(rng, vocabulary, 200)
        _write(folder / f"{name}-a.txt", base)
        _write(folder / f"{name}-b.txt", _edited(rng, vocabulary, base, 0.05, move=False))
    out = tmp_path / "out"
    real = collating.collate_witnesses
    calls = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(collating, "collate_witnesses", interrupted)
    with pytest.raises(KeyboardInterrupt):
        collatio.survey(folder, out, workers=1)
    monkeypatch.setattr(collating, "collate_witnesses", real)
    markers = sorted(p.parent.name for p in out.rglob("family.json"))
    assert len(markers) == 1 and not (out / "survey.json").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    result = collatio.survey(folder, out, workers=1)
    assert [f.reused for f in result.families].count(True) == 1
    assert all(f.units is not None and set(f.files) == {"json", "html"}
               for f in result.families)


def _steps_done(shown: str) -> dict[str, tuple[int, int]]:
    """The rich bars' last state: step -> (done, total)."""
    return {m[1]: (int(m[2]), int(m[3]))
            for m in re.finditer(r"^(\w+) +\S* *(\d+)/(\d+) tasks", shown, re.M)}


def test_progress_bars_when_asked(archive: dict[str, Any], tmp_path: Path) -> None:
    """On a stream that is no terminal (a log), rich writes the finished bars once: one line
    a step, each complete."""
    stream = io.StringIO()
    collatio.survey(archive["folder"], tmp_path, workers=1, progress=stream)
    steps = _steps_done(stream.getvalue())
    for step in ("reading", "shingling", "candidates", "verifying", "seeds", "collating"):
        assert step in steps, (step, stream.getvalue())
        assert steps[step][0] == steps[step][1] >= 1, step
    assert "\r" not in stream.getvalue()  # nothing drawn in place on a log


def test_progress_bars_on_a_terminal(archive: dict[str, Any], tmp_path: Path) -> None:
    """On a terminal the bars are redrawn in place (cursor movements) and the local
    processes' tasks are counted as they finish."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    collatio.survey(archive["folder"], tmp_path, workers=2, progress=stream)
    shown = stream.getvalue()
    assert "\x1b[" in shown  # rich's live display
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert re.search(r"collating +\S* *(\d+)/\1 tasks", plain), plain


def test_the_docs_example_is_true() -> None:
    doc = (ROOT / "docs" / "survey.md").read_text("utf-8")
    result = collatio.survey(SEEDS, workers=1)  # no OUT: found, not collated
    shown = [(f.id, [result.document(m).siglum for m in f.members]) for f in result.families]
    assert f"# {shown}" in doc
    assert all(f.files == {} for f in result.families)


def test_index_escapes_what_it_shows(tmp_path: Path) -> None:
    rng = random.Random(7)
    vocabulary = _vocabulary(rng)
    base = _text(rng, vocabulary, 150)
    hostile = '<img src=x onerror="alert(1)">&amp;'
    _write(tmp_path / "in" / f"{hostile}-a.txt", base)
    _write(tmp_path / "in" / f"{hostile}-b.txt", _edited(rng, vocabulary, base, 0.05, False))
    collatio.survey(tmp_path / "in", tmp_path / "out", workers=1)
    page = (tmp_path / "out" / "index.html").read_text("utf-8")
    tree = lxml.html.fromstring(page)
    assert not tree.xpath("//img") and not tree.xpath("//*[@onerror]")
    assert hostile in tree.text_content()  # shown as text, whole
    assert '<img src=x' not in page


def test_an_output_folder_inside_the_archive_is_not_read(tmp_path: Path) -> None:
    rng = random.Random(3)
    vocabulary = _vocabulary(rng)
    base = _text(rng, vocabulary, 150)
    _write(tmp_path / "a.txt", base)
    _write(tmp_path / "b.txt", _edited(rng, vocabulary, base, 0.05, False))
    first = collatio.survey(tmp_path, tmp_path / "out", workers=1, formats=["text"])
    again = collatio.survey(tmp_path, tmp_path / "out", workers=1, formats=["text"])
    assert len(first.documents) == len(again.documents) == 2  # not the family's .txt
    assert again.families[0].reused


def test_any_input_format_takes_part(tmp_path: Path) -> None:
    """A CollateX JSON witness file (read by the readers' registry) is surveyed like a
    transcription, and collated with it; a file no reader can read is skipped, named."""
    rng = random.Random(11)
    vocabulary = _vocabulary(rng)
    base = _text(rng, vocabulary, 180)
    _write(tmp_path / "in" / "letter.txt", base)
    copy = " ".join(" ".join(p) for p in _edited(rng, vocabulary, base, 0.04, False))
    (tmp_path / "in" / "copy.json").write_text(
        json.dumps({"witnesses": [{"id": "C", "content": copy}]}), encoding="utf-8")
    (tmp_path / "in" / "broken.json").write_text('{"witnesses": [', encoding="utf-8")
    result = collatio.survey(tmp_path / "in", tmp_path / "out", workers=1)
    (family,) = result.families
    assert sorted(result.document(m).siglum for m in family.members) == ["C", "letter"]
    assert family.units is not None and family.units > 0
    assert [os.path.basename(s.path) for s in result.skipped] == ["broken.json"]


def test_a_small_archive_runs_in_this_process(tmp_path: Path) -> None:
    result = collatio.survey(SEEDS, workers=None)
    assert result.engine == "dask, synchronous (1 worker)"
