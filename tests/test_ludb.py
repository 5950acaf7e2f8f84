"""LUDB records: the bundled copy, spans, metadata, and clear errors for bad input or files."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import wfdb

import ecgteach
from ecgteach.datasets import LUDB_LEADS, qrs_durations
from ecgteach.datasets.ludb import ludb_path
from ecgteach.ecg import MISSING, Record, load_wfdb_record, read_annotation
from ecgteach.ecg.records import spans_from_samples

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from build_bundled_data import read_manifest as _manifest

from ecgteach._files import sha256_file as _sha256

# --- the bundled copy -----------------------------------------------------------------------


def test_bundled_copy_passes_the_build_script_check(capsys):
    spec = importlib.util.spec_from_file_location(
        "build_bundled_data", REPO / "scripts" / "build_bundled_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.TARGET == Path(ecgteach.__file__).resolve().parent / "data"
    assert module.check() == 0
    out = capsys.readouterr().out
    assert "ludb: 2806 files, OK" in out and "qtdb-sample: 26 files, OK" in out


@pytest.mark.shared
def test_bundled_ludb_equals_shared_byte_for_byte(shared_data, ludb_dir):
    source = _manifest(shared_data / "ludb" / "MANIFEST.sha256")
    source.pop("README.md", None)  # our description of the source, not shipped
    assert _manifest(ludb_dir / "MANIFEST.sha256") == source
    assert len(source) == 2806  # 2805 PhysioNet files (SHA256SUMS.txt) + SHA256SUMS.txt itself
    for name, digest in source.items():
        assert _sha256(ludb_dir / name) == digest, name
        assert _sha256(shared_data / "ludb" / name) == digest, f"shared {name}"
    shipped = {
        str(p.relative_to(ludb_dir)) for p in ludb_dir.rglob("*") if p.is_file()
    } - {"MANIFEST.sha256"}
    assert shipped == set(source)


def test_bundled_ludb_matches_physionet_checksums(ludb_dir):
    # PhysioNet's own SHA256SUMS.txt: every data file is the released byte sequence
    sums = _manifest(ludb_dir / "SHA256SUMS.txt")
    data_files = {name: digest for name, digest in sums.items() if name.startswith("data/")}
    assert len(data_files) == 200 * 14
    for name, digest in data_files.items():
        assert _sha256(ludb_dir / name) == digest, name


# --- loading --------------------------------------------------------------------------------


def test_record_1_as_documented():
    record = ecgteach.load_ludb_record(1)
    assert isinstance(record, Record)
    assert (record.name, record.database, record.fs) == ("1", "ludb", 500.0)
    assert record.signal.shape == (5000, 12) and record.signal.dtype == np.float32
    assert record.leads == LUDB_LEADS
    assert record.duration_s == 10.0
    reference = wfdb.rdrecord(str(ecgteach.bundled_ludb_path() / "data" / "1"))
    np.testing.assert_array_equal(record.lead("ii"), reference.p_signal[:, 1].astype(np.float32))
    ann = read_annotation(ecgteach.bundled_ludb_path() / "data" / "1", "ii")
    assert list(zip(ann[0][:3], ann[1][:3].tolist(), strict=True)) == [
        ("(", 644), ("N", 662), (")", 682),
    ]
    np.testing.assert_array_equal(record.waves["ii"]["QRS"][0], [644, 662, 682])
    assert record.info["age"] == "51" and record.info["sex"] == "F"
    assert "Sinus bradycardia" in record.info["diagnoses"]
    assert not record.signal.flags.writeable


def test_all_200_records_load(all_records):
    assert [r.name for r in all_records] == [str(n) for n in range(1, 201)]
    for record in all_records:
        assert record.signal.shape == (5000, 12)
        assert np.isfinite(record.signal).all()
        assert set(record.waves) == set(LUDB_LEADS) == set(record.spans)
        assert len(record.waves["ii"]["QRS"]) > 0


def test_labelled_span_runs_from_first_to_last_annotation(all_records, ludb_dir):
    for record in all_records:
        for lead in LUDB_LEADS:
            _, samples = read_annotation(ludb_dir / "data" / record.name, lead)
            expected = (int(samples.min()), int(samples.max()) + 1)
            assert record.spans[lead] == [expected], (record.name, lead)
            assert record.span(lead) == expected
            mask = record.labelled_mask(lead)
            assert mask.sum() == expected[1] - expected[0]
            assert mask[expected[0]] and mask[expected[1] - 1]
            assert not mask[: expected[0]].any() and not mask[expected[1] :].any()
            # the first and last beats are not annotated: the span never covers the record
            assert 0 < expected[0] and expected[1] < record.n_samples


def test_lead_subset_and_case_insensitive_names():
    record = ecgteach.load_ludb_record("7", leads=["II", " v1 "])
    full = ecgteach.load_ludb_record(7)
    assert record.leads == ("ii", "v1")
    np.testing.assert_array_equal(record.signal, full.signal[:, [1, 6]])
    assert set(record.waves) == {"ii", "v1"}
    np.testing.assert_array_equal(record.waves["v1"]["QRS"], full.waves["v1"]["QRS"])
    assert ecgteach.load_ludb_record(7, leads="v1").leads == ("v1",)


def test_quirks_are_reported_per_lead():
    record = ecgteach.load_ludb_record(104)
    for lead in ("ii", "iii", "avr", "avf"):
        assert (record.waves[lead]["QRS"][:, 0] == MISSING).all()
        assert len(record.quirks[lead]) == 9
        assert {q.message for q in record.quirks[lead]} == {"peak with no onset"}
    assert record.quirks["i"] == []
    for number in (7, 34, 111):
        quirks = ecgteach.load_ludb_record(number).quirks
        messages = {q.message for qs in quirks.values() for q in qs}
        assert "onset placed after the peak (dropped)" in messages, number


@pytest.mark.parametrize("bad", [0, 201, -1, "abc", "", "1.5", None])
def test_unknown_record_raises_value_error_naming_it(bad):
    with pytest.raises(ValueError, match="LUDB has records 1 to 200; got " + re.escape(repr(bad))):
        ecgteach.load_ludb_record(bad)
    with pytest.raises(ValueError, match="LUDB has records 1 to 200"):
        ecgteach.load_ludb([1, bad])


@pytest.mark.parametrize("bad", ["v7", "lead2", "MLII", "avx"])
def test_unknown_lead_raises_value_error_naming_it(bad):
    with pytest.raises(ValueError, match=re.escape(f"unknown lead(s) ['{bad.lower()}']")):
        ecgteach.load_ludb_record(1, leads=[bad])
    with pytest.raises(ValueError, match="unknown lead"):
        ecgteach.load_ludb_record(1, leads=[])


def test_record_lead_lookup_names_the_lead():
    record = ecgteach.load_ludb_record(1, leads=["ii"])
    with pytest.raises(ValueError, match=r"record 1 has no lead 'v1'; its leads are ii"):
        record.lead("v1")
    with pytest.raises(ValueError, match="no lead 'v1'"):
        record.span("v1")


def test_metadata_is_stripped():
    meta = ecgteach.ludb_metadata(1)
    assert meta["Sex"] == "F" and meta["Age"] == "51"  # "F\n", "51\n" in ludb.csv
    assert "Sinus bradycardia" in meta["Rhythms"]
    assert all(value == value.strip() and "\n" not in value for value in meta.values())
    with pytest.raises(ValueError, match="got 0"):
        ecgteach.ludb_metadata(0)


def test_qrs_durations_are_the_fully_annotated_complexes(all_records):
    durations = qrs_durations(all_records, "ii")
    n_both = sum(
        int(((r.waves["ii"]["QRS"][:, 0] >= 0) & (r.waves["ii"]["QRS"][:, 2] >= 0)).sum())
        for r in all_records
    )
    assert durations.shape == (n_both,)
    assert 40 <= durations.min() and durations.max() <= 300  # ms
    assert 80 <= np.median(durations) <= 120


# --- other copies and broken files ----------------------------------------------------------


def test_a_local_copy_loads_like_the_bundled_one(copy_ludb_record):
    copy_ludb_record(1, leads=["ii"])  # a copy is recognised by its data/1.hea
    folder = copy_ludb_record(3)
    assert ludb_path(folder) == folder
    record = ecgteach.load_ludb_record(3, path=folder)
    bundled = ecgteach.load_ludb_record(3)
    np.testing.assert_array_equal(record.signal, bundled.signal)
    for lead in LUDB_LEADS:
        for kind in ("P", "QRS", "T"):
            np.testing.assert_array_equal(record.waves[lead][kind], bundled.waves[lead][kind])
    flat = folder / "data"  # records directly in the folder also work
    assert ludb_path(flat) == flat
    np.testing.assert_array_equal(ecgteach.load_ludb_record(3, path=flat).signal, bundled.signal)


def test_folder_without_ludb_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no LUDB copy at .*expected .*1\.hea"):
        ecgteach.load_ludb_record(1, path=tmp_path)


def test_missing_record_files_raise_file_not_found(copy_ludb_record):
    copy_ludb_record(1, leads=["ii"])  # a copy is recognised by its data/1.hea
    folder = copy_ludb_record(5, leads=["ii"])
    with pytest.raises(FileNotFoundError, match=r"LUDB record 5: .*annotation file not .*5\.v1"):
        ecgteach.load_ludb_record(5, leads=["v1"], path=folder)
    (folder / "data" / "5.dat").unlink()
    with pytest.raises(FileNotFoundError, match=r"LUDB record 5: .*signal file not found.*5\.dat"):
        ecgteach.load_ludb_record(5, leads=["ii"], path=folder)
    with pytest.raises(FileNotFoundError, match=r"LUDB record 6: .*header not found.*6\.hea"):
        ecgteach.load_ludb_record(6, leads=["ii"], path=folder)


def test_corrupt_header_raises_value_error(copy_ludb_record):
    folder = copy_ludb_record(1, leads=["ii"])
    header = folder / "data" / "1.hea"
    lines = header.read_text().splitlines(keepends=True)
    header.write_text("".join(lines[:5]))  # 12 signals announced, 4 listed
    with pytest.raises(ValueError, match=r"corrupt WFDB header .*1\.hea.*announces 12 signals"):
        ecgteach.load_ludb_record(1, leads=["ii"], path=folder)


def test_truncated_signal_raises_value_error(copy_ludb_record):
    folder = copy_ludb_record(1, leads=["ii"])
    dat = folder / "data" / "1.dat"
    dat.write_bytes(dat.read_bytes()[:50_000])
    with pytest.raises(ValueError, match=r"truncated signal file .*1\.dat"):
        ecgteach.load_ludb_record(1, leads=["ii"], path=folder)


def test_invalid_sample_in_ludb_copy_raises_value_error(copy_ludb_record):
    folder = copy_ludb_record(1, leads=["ii"])
    dat = folder / "data" / "1.dat"
    data = bytearray(dat.read_bytes())
    offset = (100 * 12 + 1) * 2  # sample 100 of lead ii, format 16
    data[offset : offset + 2] = np.int16(-32768).tobytes()  # WFDB's invalid-sample value
    dat.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="contains 1 NaN/inf samples"):
        ecgteach.load_ludb_record(1, leads=["ii"], path=folder)


def test_nan_sample_written_by_wfdb_raises_value_error(tmp_path):
    signal = np.sin(np.linspace(0, 20, 2000))[:, None].repeat(2, axis=1)
    signal[1234, 1] = np.nan
    wfdb.wrsamp(
        "rec", fs=500, units=["mV", "mV"], sig_name=["a", "b"], p_signal=signal,
        fmt=["16", "16"], write_dir=str(tmp_path),
    )
    wfdb.wrann("rec", "atr", np.array([100, 110, 120]), symbol=["(", "N", ")"],
               write_dir=str(tmp_path))
    with pytest.raises(ValueError, match=r"record .*rec contains 1 NaN/inf samples"):
        load_wfdb_record(tmp_path / "rec", annotator="atr")
    signal[1234, 1] = 0.5
    wfdb.wrsamp(
        "rec", fs=500, units=["mV", "mV"], sig_name=["a", "b"], p_signal=signal,
        fmt=["16", "16"], write_dir=str(tmp_path),
    )
    record = load_wfdb_record(tmp_path / "rec", annotator="atr")
    np.testing.assert_array_equal(record.waves["a"]["QRS"], [[100, 110, 120]])
    assert record.waves["a"] is record.waves["b"]
    with pytest.raises(ValueError, match=r"no lead\(s\) \['c'\]"):
        load_wfdb_record(tmp_path / "rec", annotator="atr", leads=["c"])


def test_a_removed_bundled_copy_is_reported(monkeypatch, tmp_path):
    monkeypatch.setattr("ecgteach.datasets.ludb._BUNDLED", tmp_path / "gone")
    with pytest.raises(FileNotFoundError, match="bundled LUDB copy is missing"):
        ludb_path()


# --- building blocks ------------------------------------------------------------------------


def test_spans_from_samples():
    samples = np.array([500, 100, 200, 1200, 1300])
    assert spans_from_samples(samples, fs=100, max_gap_s=None) == [(100, 1301)]
    assert spans_from_samples(samples, fs=100, max_gap_s=2.0) == [(100, 201), (500, 501),
                                                                  (1200, 1301)]
    assert spans_from_samples(np.array([], dtype=int), fs=100, max_gap_s=2.0) == []


def test_record_checks_its_shape():
    with pytest.raises(ValueError, match="does not match 2 leads"):
        Record("x", "test", 250.0, np.zeros((10, 3), np.float32), ("a", "b"), {}, {})


def test_cached_records_are_read_only_and_copies_are_safe():
    record = ecgteach.load_ludb_record(2, leads=["ii"])
    with pytest.raises(ValueError):
        record.signal[0, 0] = 1.0
    assert ecgteach.load_ludb_record(2, leads=["ii"]) is record
