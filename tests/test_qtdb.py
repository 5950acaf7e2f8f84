"""The bundled QTDB sample: q1c waves shared by both leads, spans on the annotated beats only."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

import ecgteach
from ecgteach.ecg import MISSING, parse_waves, read_annotation

QTDB_RECORDS = ("sel100", "sel102", "sel232", "sel30", "sele0104")
LEADS = {
    "sel100": ("MLII", "V5"), "sel102": ("V5", "V2"), "sel232": ("MLII", "V1"),
    "sel30": ("ECG1", "ECG2"), "sele0104": ("D3", "D4"),
}
_BRACKETS_AND_NON_QRS = {"(", ")", "p", "t", "u"}
#: WFDB beat labels (a QRS complex); "+", "~", "s", "T" ... are not beats
_BEAT_LABELS = set("NLRBAaJSVrFejnE/fQ?")


@pytest.fixture(scope="module", params=QTDB_RECORDS)
def qtdb(request):
    return ecgteach.load_qtdb(request.param)


def test_bundled_records_are_listed():
    assert ecgteach.bundled_qtdb_records() == QTDB_RECORDS


@pytest.mark.shared
def test_bundled_qtdb_equals_shared_byte_for_byte(shared_data, qtdb_dir):
    source = shared_data / "qtdb-sample"
    manifest = {}
    for line in (source / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        manifest[name.strip()] = digest
    manifest.pop("README.md", None)
    assert (qtdb_dir / "MANIFEST.sha256").read_text().split() == (
        source / "MANIFEST.sha256"
    ).read_text().split()
    for name, digest in manifest.items():
        assert hashlib.sha256((qtdb_dir / name).read_bytes()).hexdigest() == digest, name
        assert (qtdb_dir / name).read_bytes() == (source / name).read_bytes(), name


def test_record_as_documented(qtdb):
    assert qtdb.database == "qtdb" and qtdb.fs == 250.0
    assert qtdb.leads == LEADS[qtdb.name]
    assert qtdb.signal.shape == (224993 if qtdb.name == "sel30" else 225000, 2)
    assert qtdb.signal.dtype == np.float32 and np.isfinite(qtdb.signal).all()


def test_q1c_waves_are_shared_by_both_leads(qtdb, qtdb_dir):
    first, second = qtdb.leads
    assert qtdb.waves[first] is qtdb.waves[second]
    assert qtdb.spans[first] == qtdb.spans[second]
    waves, _ = parse_waves(*read_annotation(qtdb_dir / qtdb.name, "q1c"))
    for kind in ("P", "QRS", "T"):
        np.testing.assert_array_equal(qtdb.waves[first][kind], waves[kind])


def test_every_beat_label_counts_as_a_qrs(qtdb, qtdb_dir):
    symbols, _ = read_annotation(qtdb_dir / qtdb.name, "q1c")
    beat_labels = [s for s in symbols if s not in _BRACKETS_AND_NON_QRS]
    assert set(beat_labels) <= {"N", "A", "B", "V", "Q"}
    qrs = qtdb.waves[qtdb.leads[0]]["QRS"]
    assert len(qrs) == len(beat_labels) > 0
    if qtdb.name == "sel232":
        assert set(beat_labels) == {"A"} and len(qrs) == 30  # no "N" at all
    # every q1c QRS and P wave has both boundaries; T waves have at least an offset
    assert (qrs != MISSING).all()
    assert (qtdb.waves[qtdb.leads[0]]["P"] != MISSING).all()
    assert (qtdb.waves[qtdb.leads[0]]["T"][:, 1:] != MISSING).all()
    assert qtdb.quirks[qtdb.leads[0]] == []  # a T without onset is expected, not a quirk


def test_spans_cover_the_annotated_beats_in_the_last_five_minutes(qtdb, qtdb_dir):
    lead = qtdb.leads[0]
    spans = qtdb.spans[lead]
    _, samples = read_annotation(qtdb_dir / qtdb.name, "q1c")
    last_five_minutes = qtdb.n_samples - 5 * 60 * 250
    assert spans[0][0] == samples.min() >= last_five_minutes
    assert spans[-1][1] == samples.max() + 1
    mask = qtdb.labelled_mask(lead)
    assert mask[samples].all()  # every label inside a span
    assert not mask[:last_five_minutes].any()
    # 30 to 85 labelled beats out of ~1000: at most ~one cardiac cycle of span per beat
    assert mask.sum() <= len(qtdb.waves[lead]["QRS"]) * 1.2 * qtdb.fs
    assert all(a < b for a, b in spans)
    assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:], strict=False))


def test_no_unlabelled_beat_lies_inside_a_span(qtdb, qtdb_dir):
    # the cardiologists' beat list (.atr; sel30 has none) is independent of q1c and pu0:
    # every beat inside a labelled span must be one of the labelled QRS complexes
    if not (qtdb_dir / f"{qtdb.name}.atr").is_file():
        pytest.skip(f"{qtdb.name} has no .atr beat annotations")
    symbols, samples = read_annotation(qtdb_dir / qtdb.name, "atr")
    beats = np.array([s for y, s in zip(symbols, samples, strict=True) if y in _BEAT_LABELS])
    lead = qtdb.leads[0]
    mask = qtdb.labelled_mask(lead)
    labelled = qtdb.waves[lead]["QRS"]
    inside = beats[mask[beats]]
    assert inside.size > 0
    for beat in inside:
        assert np.abs(labelled[:, 1] - beat).min() <= 0.15 * qtdb.fs, (qtdb.name, int(beat))


def test_sel102_skipped_beats_split_the_spans():
    record = ecgteach.load_qtdb("sel102")
    spans = record.spans["V5"]
    # the experts skipped the paced beat at 165335 between two labelled ones < 1 s apart
    assert not record.labelled_mask("V5")[165335]
    assert any(b == 165296 for _, b in spans) and any(a == 165526 for a, _ in spans)


@pytest.mark.parametrize("label", ["N", "A", "B", "V", "Q"])
def test_beat_labels_of_qtdb_are_qrs(label):
    waves, quirks = parse_waves(["(", "p", ")", "(", label, ")", "t", ")"], [0, 5, 9, 12, 15, 20,
                                                                              40, 55])
    np.testing.assert_array_equal(waves["QRS"], [[12, 15, 20]])
    np.testing.assert_array_equal(waves["T"], [[MISSING, 40, 55]])
    assert quirks == []


def test_unknown_record_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match=r"QTDB record 'sel999' is not bundled \(bundled: sel100"):
        ecgteach.load_qtdb("sel999")


def test_local_copy_and_missing_files(tmp_path, qtdb_dir):
    for suffix in ("hea", "dat", "q1c", "pu0"):
        shutil.copyfile(qtdb_dir / f"sel100.{suffix}", tmp_path / f"sel100.{suffix}")
    record = ecgteach.load_qtdb("sel100", path=tmp_path)
    np.testing.assert_array_equal(record.signal, ecgteach.load_qtdb("sel100").signal)
    with pytest.raises(FileNotFoundError, match=r"QTDB record 'sel100' has no 'q2c' annotation"):
        ecgteach.load_qtdb("sel100", path=tmp_path, annotator="q2c")
    with pytest.raises(FileNotFoundError, match=r"QTDB record 'sel102' not found .*no sel102\.hea"):
        ecgteach.load_qtdb("sel102", path=tmp_path)
    (tmp_path / "sel100.dat").write_bytes((qtdb_dir / "sel100.dat").read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated signal file"):
        ecgteach.load_qtdb("sel100", path=tmp_path)


def test_without_pu0_the_spans_still_cover_the_labels(tmp_path, qtdb_dir):
    for suffix in ("hea", "dat", "q1c"):
        shutil.copyfile(qtdb_dir / f"sel232.{suffix}", tmp_path / f"sel232.{suffix}")
    record = ecgteach.load_qtdb("sel232", path=tmp_path)
    _, samples = read_annotation(qtdb_dir / "sel232", "q1c")
    assert record.labelled_mask("MLII")[samples].all()
    assert record.spans["MLII"] == ecgteach.load_qtdb("sel232").spans["MLII"]
