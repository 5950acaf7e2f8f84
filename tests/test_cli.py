"""The command line: annotation files round-trip through wfdb.rdann; errors are one line."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import wfdb

import ecgteach
from ecgteach.cli import main
from ecgteach.ecg import parse_waves, waves_to_annotations, write_annotations

QTDB = ecgteach.bundled_qtdb_records
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _copy_record(tmp_path, name="1"):
    source = ecgteach.bundled_ludb_path() / "data"
    for ext in ("hea", "dat"):
        shutil.copy(source / f"{name}.{ext}", tmp_path / f"{name}.{ext}")
    return tmp_path / name


@pytest.mark.parametrize("number", [1, 7, 104])
def test_written_annotations_read_back_with_wfdb(tmp_path, number):
    """The cardiologists' waves (with their missing boundaries) survive write + wfdb.rdann."""
    record = ecgteach.load_ludb_record(number, leads=["ii"])
    path = _copy_record(tmp_path, str(number))
    target = write_annotations(path, "test", record.waves["ii"], record.fs)
    assert target == tmp_path / f"{number}.test"
    ann = wfdb.rdann(str(path), "test")
    waves, _ = parse_waves(ann.symbol, ann.sample)
    for kind in ("P", "QRS", "T"):
        np.testing.assert_array_equal(waves[kind], record.waves["ii"][kind])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_annotation_order_and_symbols():
    waves = {"P": np.array([[10, 15, 20]]), "QRS": np.array([[-1, 40, 50]]),
             "T": np.array([[70, 80, -1]])}
    samples, symbols = waves_to_annotations(waves)
    assert symbols == ["(", "p", ")", "N", ")", "(", "t"]
    assert samples.tolist() == [10, 15, 20, 40, 50, 70, 80]


def test_bad_extension_and_empty_waves(tmp_path):
    path = _copy_record(tmp_path)
    with pytest.raises(ValueError, match="letters/digits"):
        write_annotations(path, "a.b", {"QRS": np.array([[1, 2, 3]])}, 500)
    with pytest.raises(ValueError, match="no waves"):
        write_annotations(path, "x", {"QRS": np.zeros((0, 3), int)}, 500)


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("delineate", "train", "download"):
        assert command in out


def test_errors_are_one_clear_line(tmp_path, capsys):
    assert main(["delineate", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ecgteach delineate: error:") and "not found" in err
    path = _copy_record(tmp_path)
    assert main(["delineate", str(path), "--lead", "zz"]) == 2
    assert "no lead 'zz'" in capsys.readouterr().err


def test_lab_copies_lessons_once_and_never_overwrites(tmp_path, monkeypatch):
    from ecgteach.classroom import lab

    calls = []
    monkeypatch.setattr(lab.subprocess, "call", lambda command: calls.append(command) or 0)
    folder = tmp_path / "course"
    assert main(["lab", "--dir", str(folder), "--no-browser"]) == 0
    shipped = lab.shipped_lessons()
    assert sorted(p.name for p in folder.glob("*.ipynb")) == [p.name for p in shipped]
    assert calls[-1][1:4] == ["-m", "jupyter", "lab"] and "--no-browser" in calls[-1]
    assert f"--notebook-dir={folder}" in calls[-1]
    edited = folder / shipped[0].name
    edited.write_text("my answers")
    copied, kept = lab.prepare_lessons(folder)
    assert copied == [] and edited in kept and edited.read_text() == "my answers"
    (folder / shipped[0].name).unlink()
    copied, _ = lab.prepare_lessons(folder)
    assert copied == [folder / shipped[0].name]
    assert not list(folder.glob(".*partial"))


def test_lab_refuses_a_file_as_folder(tmp_path):
    from ecgteach.classroom import lab

    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        lab.prepare_lessons(tmp_path / "file")


def test_train_with_the_class_recipe(tmp_path, monkeypatch, capsys):
    import json

    from ecgteach.delineation.training import CLASS_RECIPE, FAST_RECIPE

    monkeypatch.setitem(FAST_RECIPE, "train_records", 2)
    monkeypatch.setitem(FAST_RECIPE, "val_records", 1)
    out = tmp_path / "class.keras"
    assert main(["train", "--recipe", "class", "--fast", "--quiet", "--out", str(out)]) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["epochs_run"] == CLASS_RECIPE["recipe"]["epochs"]
    assert info["budget_s"] == CLASS_RECIPE["seconds"]
    assert "--recipe class" in info["command"]
    assert f"{CLASS_RECIPE['recipe']['epochs']} epochs" in capsys.readouterr().out
