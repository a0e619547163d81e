"""Nothing a user has is damaged by writing: no output over an input, every file written
whole or not at all, standard output complete or a clear error (docs/reliability.md)."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from collatio.cli import main
from collatio.cli.output import CHUNK, Outputs, write_stream

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def pair(tmp_path: Path, directory: str = "proj") -> tuple[Path, Path]:
    folder = tmp_path / directory
    folder.mkdir(exist_ok=True)
    a, b = folder / "letter.txt", folder / "other.txt"
    a.write_text("A letter of mine, sent today.\n", encoding="utf-8")
    b.write_text("A letter of yours, sent today.\n", encoding="utf-8")
    return a, b


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def one_line(err: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err


def without_warnings(err: str) -> str:
    """*err* without the input's warnings (on standard error whenever the apparatus is not
    shown on a terminal)."""
    return "".join(line for line in err.splitlines(keepends=True) if ": warning: " not in line)


# --- never over an input ----------------------------------------------------------------------


def test_out_into_the_inputs_directory_refuses_before_writing(tmp_path: Path) -> None:
    a, b = pair(tmp_path)
    before = snapshot(a.parent)
    code, out, err = run("collate", a, b, "--out", a.parent)
    assert code == 2 and out == ""
    one_line(err)
    assert f"would write over the input {a}" in err and "another directory" in err
    assert snapshot(a.parent) == before, "nothing written, nothing changed"


def test_out_with_a_collatex_input_of_the_same_stem(tmp_path: Path) -> None:
    witnesses = {"witnesses": [{"id": "A", "tokens": [{"t": "one "}, {"t": "two"}]},
                               {"id": "B", "tokens": [{"t": "one "}, {"t": "three"}]}]}
    source = tmp_path / "w.json"
    source.write_text(json.dumps(witnesses), encoding="utf-8")
    before = source.read_bytes()
    code, _, err = run("collate", source, "--out", tmp_path)
    assert code == 2 and "would write over the input" in err
    assert source.read_bytes() == before and snapshot(tmp_path) == {"w.json": before}


@pytest.mark.parametrize("how", ["same", "dot", "symlink", "hardlink"])
def test_dash_o_naming_an_input_refuses(tmp_path: Path, how: str) -> None:
    a, b = pair(tmp_path)
    target = {"same": a, "dot": a.parent / "." / a.name, "symlink": tmp_path / "link.txt",
              "hardlink": tmp_path / "hard.txt"}[how]
    if how == "symlink":
        target.symlink_to(a)
    elif how == "hardlink":
        os.link(a, target)
    before = a.read_bytes()
    for command in (("collate", a, b), ("parse", a, b)):
        code, out, err = run(*command, "-o", target)
        assert code == 2 and out == "", err
        one_line(err)
        assert "would write over the input" in err
        assert a.read_bytes() == before


def test_every_kind_of_input_is_protected(tmp_path: Path) -> None:
    a, b = pair(tmp_path)
    manifest = tmp_path / "m.toml"
    manifest.write_text(f'[[witness]]\nsource = "{a.name}"\nsiglum = "A"\n'
                        f'[[witness]]\nsource = "{b.name}"\nsiglum = "B"\n', encoding="utf-8")
    (tmp_path / a.name).write_bytes(a.read_bytes())  # the manifest's sources, beside it
    (tmp_path / b.name).write_bytes(b.read_bytes())
    equivalents = tmp_path / "eq.txt"
    equivalents.write_text("yours = mine\n", encoding="utf-8")
    convention = tmp_path / "c.toml"
    convention.write_text('name = "c"\n[[delimiter]]\nname = "b"\nopen = "["\nclose = "]"\n'
                          'kind = "del"\n', encoding="utf-8")
    cases = [
        (("--manifest", manifest), manifest),
        (("--manifest", manifest), tmp_path / b.name),  # a source named by the manifest
        ((a, b, "--equivalents", equivalents), equivalents),
        ((a, b, "--convention", convention), convention),
    ]
    for argv, target in cases:
        before = target.read_bytes()
        code, _, err = run("collate", *argv, "-o", target, "--format", "json")
        assert code == 2 and "would write over the input" in err, (argv, err)
        assert target.read_bytes() == before


def test_the_same_file_twice_is_read_once_and_said(tmp_path: Path) -> None:
    a, b = pair(tmp_path)
    code, out, _ = run("collate", a, b, a.parent / "." / a.name, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [w["id"] for w in data["witnesses"]] == ["letter", "other"]
    (warning,) = [d for d in data["diagnostics"] if d["code"] == "same-file-twice"]
    assert "given twice" in warning["message"] and warning["severity"] == "warning"
    code, _, err = run("collate", a, b, a, "--strict")
    assert code == 1 and "given twice" in err


# --- whole or not at all ----------------------------------------------------------------------


GOOD = '{"a valid": "json file"}\n'


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def subprocess_collate(
    tmp_path: Path, argv: list[str], prelude: str = "", **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """``collatio`` in a child process, after *prelude* (Python run before the command)."""
    script = textwrap.dedent(prelude) + textwrap.dedent(f"""
        import sys
        sys.argv = ["collatio", *{argv!r}]
        from collatio.cli import run
        run()
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, **kwargs)  # type: ignore[call-overload]


def big_pair(tmp_path: Path, words: int = 20_000) -> tuple[str, str]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(" ".join(f"w{i}" for i in range(words)), encoding="utf-8")
    b.write_text(" ".join("x" if i % 7 == 0 else f"w{i}" for i in range(words)),
                 encoding="utf-8")
    return str(a), str(b)


def test_a_full_disk_leaves_the_old_file_as_it_was(tmp_path: Path) -> None:
    a, b = big_pair(tmp_path)
    good = tmp_path / "good.json"
    good.write_text(GOOD, encoding="utf-8")

    def limit_file_size() -> None:  # what a nearly full disk does to a write: it fails
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess_collate(tmp_path, ["collate", a, b, "-o", str(good)],
                                preexec_fn=limit_file_size)
    assert result.returncode == 1, result.stderr
    one_line(result.stderr)
    assert result.stderr.startswith(f"collatio: {good}: cannot write output: File too large")
    assert good.read_text(encoding="utf-8") == GOOD
    assert leftovers(tmp_path) == []


KILL_MID_WRITE = """
    import os, signal
    # as in an interactive shell (a background job starts with ^C ignored, and Python then
    # leaves it so)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from collatio.render import json as rendering
    made = rendering.JSONRenderer.chunks
    def chunks(self, apparatus):
        for i, piece in enumerate(made(self, apparatus)):
            if i == 5:
                os.kill(os.getpid(), signal.{name})
            yield piece
    rendering.JSONRenderer.chunks = chunks
"""


@pytest.mark.parametrize(("name", "status", "said"), [
    ("SIGTERM", 143, "terminated"), ("SIGINT", 130, "interrupted"), ("SIGHUP", 129, "hung up"),
])
def test_a_signal_mid_write_cleans_up_and_exits(
    tmp_path: Path, name: str, status: int, said: str
) -> None:
    a, b = big_pair(tmp_path)
    good = tmp_path / "good.json"
    good.write_text(GOOD, encoding="utf-8")
    result = subprocess_collate(tmp_path, ["collate", a, b, "-o", str(good)],
                                KILL_MID_WRITE.format(name=name))
    assert result.returncode == status
    assert result.stderr == f"collatio: {said}\n"
    assert good.read_text(encoding="utf-8") == GOOD and leftovers(tmp_path) == []


def broken_renderer(monkeypatch: pytest.MonkeyPatch, module: str, cls: str) -> None:
    import importlib

    rendering = importlib.import_module(f"collatio.render.{module}")
    renderer = getattr(rendering, cls)
    made = renderer.chunks

    def chunks(self: object, apparatus: object) -> object:
        pieces = made(self, apparatus)
        yield from list(pieces)[:3]
        raise RuntimeError("the renderer broke half-way")

    monkeypatch.setattr(renderer, "chunks", chunks)


def test_a_render_crash_leaves_the_old_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = pair(tmp_path)
    good = tmp_path / "good.json"
    good.write_text(GOOD, encoding="utf-8")
    broken_renderer(monkeypatch, "json", "JSONRenderer")
    code, _, err = run("collate", a, b, "-o", good)
    assert code == 70 and "the renderer broke half-way" in err
    assert good.read_text(encoding="utf-8") == GOOD and leftovers(tmp_path) == []


def test_out_writes_every_format_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pair(tmp_path)
    build = tmp_path / "build"
    build.mkdir()
    stale = build / "letter.html"
    stale.write_text("<p>last week's</p>", encoding="utf-8")
    broken_renderer(monkeypatch, "tei", "TEIRenderer")  # after html and json, before text
    code, out, err = run("collate", a, b, "--out", build)
    assert code == 70 and out == "" and "broke half-way" in err
    assert snapshot(build) == {"letter.html": b"<p>last week's</p>"}
    fresh = tmp_path / "fresh"
    code, _, _ = run("collate", a, b, "--out", fresh)
    assert code == 70 and not fresh.exists(), "a directory made for the run goes with it"
    monkeypatch.undo()
    code, out, _ = run("collate", a, b, "--out", build)
    assert code == 0 and out.count("wrote ") == len(snapshot(build)) >= 6
    assert "last week" not in stale.read_text(encoding="utf-8")


def test_a_new_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own(tmp_path: Path) -> None:
    a, b = pair(tmp_path)
    new = tmp_path / "new.json"
    assert run("collate", a, b, "-o", new)[0] == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask
    new.chmod(0o640)
    assert run("collate", a, b, "-o", new)[0] == 0
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
    link = tmp_path / "link.json"
    link.symlink_to(new)
    assert run("collate", a, b, "-o", link, "--format", "text")[0] == 0
    assert link.is_symlink() and new.read_text(encoding="utf-8").startswith("2 texts")


def test_a_device_or_fifo_is_written_in_place_never_replaced(tmp_path: Path) -> None:
    a, b = pair(tmp_path)
    code, _, err = run("collate", a, b, "-o", os.devnull, "--format", "json")
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    code, _, err = run("collate", a, b, "-o", fifo, "--format", "json")
    received = reader.communicate(timeout=60)[0]
    assert code == 0, err
    assert json.loads(received)["witnesses"][0]["id"] == "letter"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_staged_outputs_are_removed_when_not_committed(tmp_path: Path) -> None:
    with Outputs() as outputs:
        outputs.add(str(tmp_path / "one.txt"), ["some ", "text"])
        assert len(leftovers(tmp_path)) == 1 and not (tmp_path / "one.txt").exists()
    assert list(tmp_path.iterdir()) == []


# --- standard output --------------------------------------------------------------------------


class Grudging(io.StringIO):
    """A stream that takes at most 1,000 characters a call and says how many it took, as a
    pipe may; it records the largest piece it was handed."""

    largest = 0

    def write(self, text: str) -> int:
        self.largest = max(self.largest, len(text))
        return super().write(text[:1000])


def test_standard_output_is_written_in_checked_pieces() -> None:
    text = "".join(f"line {i}\n" for i in range(300_000))  # ~3 MB
    stream = Grudging()
    write_stream(stream, [text])
    assert stream.getvalue() == text
    assert stream.largest <= CHUNK
    code = main(["collate", str(SEED), str(SEED), "--format", "json"], stdout=(s := Grudging()),
                stderr=io.StringIO())
    assert code == 0 and json.loads(s.getvalue())["format"].startswith("collatio")


def collatio_process(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "collatio", *argv], stderr=subprocess.PIPE,
                          text=True, cwd=ROOT, timeout=300, **kwargs)  # type: ignore[call-overload]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_standard_output_on_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        result = collatio_process("collate", str(SEED), stdout=full)
    assert result.returncode == 1
    # the seed's warnings come first (the apparatus is not on a terminal), then one line
    *warnings, last = result.stderr.splitlines()
    assert last == "collatio: standard output: cannot write: No space left on device"
    assert all(": warning: " in line for line in warnings)


def test_a_closed_standard_output_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        f'"{sys.executable}" -m collatio collate "{SEED}" >&-', shell=True,
        capture_output=False, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 1
    assert without_warnings(result.stderr).startswith("collatio: standard output: it is closed")
    one_line(without_warnings(result.stderr))
    build = tmp_path / "build"  # writing files needs no standard output
    result = subprocess.run(
        f'"{sys.executable}" -m collatio collate "{SEED}" --out "{build}" >&-', shell=True,
        stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 0 and without_warnings(result.stderr) == ""
    assert len(list(build.iterdir())) >= 6


def test_an_encoding_that_cannot_hold_the_text_is_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    result = collatio_process("collate", str(SEED), env=env)
    assert result.returncode == 1
    one_line(without_warnings(result.stderr))
    assert without_warnings(result.stderr).startswith(
        "collatio: standard output: its encoding, ascii, cannot")
    assert "PYTHONIOENCODING=utf-8" in result.stderr
    other = tmp_path / "other.txt"  # the seed's JSON may be ASCII only: text that is not
    other.write_text("Kaesŏng, 5 October.\n", encoding="utf-8")
    result = collatio_process("collate", str(other), "--format", "json", env=env)
    assert result.returncode == 1 and "its encoding, ascii" in result.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    a, b = big_pair(tmp_path)  # a megabyte of JSON: more than a pipe holds
    with subprocess.Popen([sys.executable, "-m", "collatio", "collate", a, b, "--format", "json"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        assert process.wait(timeout=300) == 0
        assert process.stderr.read() == b""


def test_a_collation_process_ends_with_all_it_wrote(tmp_path: Path) -> None:
    """The collate command leaves its apparatus to be freed with the process (it ends at
    once, without taking a large collation apart object by object): everything it printed,
    warned and wrote must be there all the same, byte for byte, with its exit status."""
    from collatio.cli import _args

    out, err = io.StringIO(), io.StringIO()
    assert main(["collate", str(SEED)], stdout=out, stderr=err) == 0
    assert _args._KEPT is None  # called in-process, main keeps nothing
    shown = collatio_process("collate", str(SEED))
    assert shown.returncode == 0
    assert (shown.stdout, shown.stderr) == (out.getvalue(), err.getvalue())
    assert ": warning: " in shown.stderr
    a, b = big_pair(tmp_path)  # a megabyte of JSON: more than a pipe or a buffer holds
    shown = collatio_process("collate", a, b, "--format", "json")
    written = collatio_process("collate", a, b, "--format", "json", "-o",
                               str(tmp_path / "out.json"))
    assert shown.returncode == written.returncode == 0
    assert len(shown.stdout) > 1_000_000
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == shown.stdout
    assert [w["id"] for w in json.loads(shown.stdout)["witnesses"]] == ["a", "b"]
    assert collatio_process("collate", a, str(tmp_path / "missing.txt")).returncode == 1
