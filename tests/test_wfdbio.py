"""The fast WFDB reader reads every bundled file exactly as ``wfdb`` does, and fails clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecgteach.datasets import LUDB_LEADS
from ecgteach.ecg import read_annotation, read_header, read_signal

QTDB_RECORDS = ("sel100", "sel102", "sel232", "sel30", "sele0104")

# wfdb 4.3 calls pandas with a deprecated keyword on every rdann; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:Warning")


@pytest.fixture(scope="module")
def ludb_annotations_only(ludb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2,400 LUDB annotation files without their headers.

    ``wfdb.rdann`` re-reads the header (through pandas) only to learn ``fs``,
    which costs ~8 ms a file; without a header it skips that and reads the same
    symbols and samples, so all 2,400 files can be compared in a few seconds.
    """
    folder = tmp_path_factory.mktemp("ludb-annotations")
    for number in range(1, 201):
        for lead in LUDB_LEADS:
            name = f"{number}.{lead}"
            shutil.copyfile(ludb_dir / "data" / name, folder / name)
    return folder


def _assert_same_annotation(ours: tuple[list[str], np.ndarray], ann: wfdb.Annotation, what: str):
    symbols, samples = ours
    assert symbols == list(ann.symbol), what
    np.testing.assert_array_equal(samples, ann.sample, err_msg=what)
    assert samples.dtype == np.int64


def test_ludb_headers_and_signals_equal_wfdb(ludb_dir):
    for number in range(1, 201):
        path = ludb_dir / "data" / str(number)
        header = read_header(path)
        reference = wfdb.rdrecord(str(path))
        assert header.fs == reference.fs == 500
        assert header.n_samples == reference.sig_len == 5000
        assert header.sig_names == tuple(reference.sig_name) == LUDB_LEADS
        assert header.gains == tuple(reference.adc_gain)
        assert header.baselines == tuple(reference.baseline)
        assert header.comments == tuple(reference.comments)
        signal = read_signal(header)
        assert signal.dtype == np.float32 and signal.shape == (5000, 12)
        np.testing.assert_array_equal(
            signal, reference.p_signal.astype(np.float32), err_msg=f"record {number}"
        )


def test_ludb_annotations_equal_wfdb(ludb_dir, ludb_annotations_only):
    n_annotations = 0
    for number in range(1, 201):
        for lead in LUDB_LEADS:
            ours = read_annotation(ludb_dir / "data" / str(number), lead)
            reference = wfdb.rdann(str(ludb_annotations_only / str(number)), lead)
            _assert_same_annotation(ours, reference, f"record {number} lead {lead}")
            n_annotations += len(ours[0])
    # 21965 QRS + 16797 P + 19661 T peaks, 58321 onsets and 58423 offsets
    assert n_annotations == 21965 + 16797 + 19661 + 58321 + 58423


@pytest.mark.parametrize("name", QTDB_RECORDS)
def test_qtdb_signals_and_annotations_equal_wfdb(qtdb_dir, name):
    path = qtdb_dir / name
    header = read_header(path)
    reference = wfdb.rdrecord(str(path))
    assert header.formats == ("212", "212")
    assert header.fs == reference.fs == 250
    assert header.n_samples == reference.sig_len
    assert header.sig_names == tuple(reference.sig_name)
    np.testing.assert_array_equal(read_signal(header), reference.p_signal.astype(np.float32))
    extensions = ["q1c", "pu0"] + (["atr"] if (qtdb_dir / f"{name}.atr").is_file() else [])
    for extension in extensions:
        reference_ann = wfdb.rdann(str(path), extension)
        # QTDB labels start after sample 1023, so the files use SKIP words
        assert extension != "q1c" or reference_ann.sample[0] > 1023
        _assert_same_annotation(
            read_annotation(path, extension), reference_ann, f"{name}.{extension}"
        )


def test_header_path_may_carry_the_hea_suffix(ludb_dir):
    assert read_header(ludb_dir / "data" / "1.hea") == read_header(ludb_dir / "data" / "1")


@pytest.mark.parametrize("fmt", ["16", "212", "80"])
def test_invalid_samples_become_nan_as_in_wfdb(tmp_path, fmt):
    rng = np.random.default_rng(0)
    p_signal = rng.normal(size=(1000, 2))
    p_signal[10, 0] = np.nan
    p_signal[500, 1] = np.nan
    wfdb.wrsamp(
        "rec", fs=500, units=["mV", "mV"], sig_name=["a", "b"], p_signal=p_signal,
        fmt=[fmt, fmt], write_dir=str(tmp_path),
    )
    ours = read_signal(read_header(tmp_path / "rec"))
    reference = wfdb.rdrecord(str(tmp_path / "rec")).p_signal
    assert np.isnan(ours[10, 0]) and np.isnan(ours[500, 1])
    assert np.isnan(ours).sum() == 2
    np.testing.assert_array_equal(ours, reference.astype(np.float32))


def test_formats_16_and_212_do_not_go_through_wfdb(tmp_path, monkeypatch):
    p_signal = np.linspace(-1, 1, 600).reshape(300, 2)
    for fmt in ("16", "212"):
        wfdb.wrsamp(
            f"rec{fmt}", fs=250, units=["mV", "mV"], sig_name=["a", "b"], p_signal=p_signal,
            fmt=[fmt, fmt], write_dir=str(tmp_path),
        )
    expected = {fmt: wfdb.rdrecord(str(tmp_path / f"rec{fmt}")).p_signal for fmt in ("16", "212")}

    def forbidden(*args, **kwargs):
        raise AssertionError("the fast reader fell back to wfdb.rdrecord")

    monkeypatch.setattr(wfdb, "rdrecord", forbidden)
    for fmt in ("16", "212"):
        signal = read_signal(read_header(tmp_path / f"rec{fmt}"))
        np.testing.assert_array_equal(signal, expected[fmt].astype(np.float32))


def test_annotation_with_skip_channel_num_subtype_and_aux_matches_wfdb(tmp_path):
    # gaps above 1023 samples (SKIP words), channel/number/subtype changes and
    # aux notes all have to be stepped over without losing a sample
    sample = np.array([5, 900, 2000, 2001, 70000, 70010, 3_000_000])
    symbol = ["(", "N", ")", "p", "t", "V", "A"]
    wfdb.wrann(
        "rec", "tst", sample, symbol=symbol,
        chan=np.array([0, 0, 1, 1, 0, 2, 0]),
        num=np.array([0, 0, 0, 3, 3, 0, 0]),
        subtype=np.array([0, 1, 0, 0, 2, 0, 0]),
        aux_note=["", "(N", "", "a longer note!", "", "", "x"],
        write_dir=str(tmp_path),
    )
    symbols, samples = read_annotation(tmp_path / "rec", "tst")
    assert symbols == symbol
    np.testing.assert_array_equal(samples, sample)
    reference = wfdb.rdann(str(tmp_path / "rec"), "tst")
    _assert_same_annotation((symbols, samples), reference, "synthetic")


def test_annotation_with_a_definition_block_matches_wfdb(tmp_path):
    # wrann with fs= writes a "## time resolution" note at sample 0: wfdb decodes it
    sample = np.array([10, 20, 30])
    wfdb.wrann("rec", "def", sample, symbol=["(", "N", ")"], fs=360, write_dir=str(tmp_path))
    reference = wfdb.rdann(str(tmp_path / "rec"), "def")
    _assert_same_annotation(read_annotation(tmp_path / "rec", "def"), reference, "with fs")
    assert reference.fs == 360


def test_backward_skip_matches_wfdb(tmp_path):
    # a negative SKIP (annotations written out of time order) is a signed 32-bit count
    skip = np.array([-600], dtype=">i4").view(">u2")  # high word first, as WFDB writes it
    words = [1 << 10 | 1000, 59 << 10, *(int(w) for w in skip), 1 << 10 | 100, 0]
    (tmp_path / "rec.bck").write_bytes(np.array(words, dtype="<u2").tobytes())
    symbols, samples = read_annotation(tmp_path / "rec", "bck")
    assert symbols == ["N", "N"] and samples.tolist() == [1000, 500]
    _assert_same_annotation((symbols, samples), wfdb.rdann(str(tmp_path / "rec"), "bck"), "skip")


def test_baseline_defaults_to_adc_zero_as_in_wfdb(tmp_path):
    # "200" or "200/mV" without "(baseline)": WFDB takes the baseline from the ADC zero
    digital = np.arange(-50, 50, dtype="<i2").reshape(50, 2)
    digital.tofile(tmp_path / "rec.dat")
    (tmp_path / "rec.hea").write_text(
        "rec 2 250 50\nrec.dat 16 200 16 10 0 0 0 a\nrec.dat 16 400/mV 16 -7 0 0 0 b\n"
    )
    header = read_header(tmp_path / "rec")
    assert header.baselines == (10, -7) and header.gains == (200.0, 400.0)
    assert header.sig_names == ("a", "b")
    reference = wfdb.rdrecord(str(tmp_path / "rec")).p_signal
    np.testing.assert_array_equal(read_signal(header), reference.astype(np.float32))
    np.testing.assert_allclose(reference[:, 0], (digital[:, 0] - 10) / 200)


def test_signal_names_with_spaces_match_wfdb(tmp_path):
    np.zeros((10, 2), dtype="<i2").tofile(tmp_path / "rec.dat")
    (tmp_path / "rec.hea").write_text(
        "rec 2 250 10\nrec.dat 16 200 16 0 0 0 0 ECG lead II\nrec.dat 16 200 16 0 0 0 0 V5\n"
    )
    names = wfdb.rdheader(str(tmp_path / "rec")).sig_name
    assert read_header(tmp_path / "rec").sig_names == tuple(names) == ("ECG lead II", "V5")


# --- failures: clear errors, never silently wrong data ---------------------------------------


def _copy(ludb_dir: Path, folder: Path, suffixes=("hea", "dat", "ii")) -> Path:
    for suffix in suffixes:
        shutil.copyfile(ludb_dir / "data" / f"1.{suffix}", folder / f"1.{suffix}")
    return folder / "1"


def test_missing_header_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"WFDB header not found: .*nothing\.hea"):
        read_header(tmp_path / "nothing")


def test_missing_signal_file_names_the_file(ludb_dir, tmp_path):
    path = _copy(ludb_dir, tmp_path, ("hea",))
    with pytest.raises(FileNotFoundError, match=r"signal file not found: .*1\.dat"):
        read_signal(read_header(path))


def test_missing_annotation_file_names_the_file(ludb_dir, tmp_path):
    path = _copy(ludb_dir, tmp_path, ("hea", "dat"))
    with pytest.raises(FileNotFoundError, match=r"annotation file not found: .*1\.v6"):
        read_annotation(path, "v6")


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty file
        "this is not a header\n",  # no signal count
        "1 12 500 5000\n1.dat 16 1716(6)/mV 0 0 -120 -32198 0 i\n",  # 1 of 12 signal lines
        "1 twelve 500 5000\n",  # not a number
        "1 1 500 5000\n1.dat 16 abc(6)/mV 0 0 -120 -32198 0 i\n",  # bad gain
        "1/2 1 500 5000\n",  # multi-segment: not for the fast reader
    ],
)
def test_corrupt_header_raises_value_error_naming_the_file(tmp_path, text):
    (tmp_path / "1.hea").write_text(text)
    with pytest.raises(ValueError, match=r"corrupt WFDB header .*1\.hea"):
        read_header(tmp_path / "1")


def test_truncated_signal_file_raises_value_error(ludb_dir, tmp_path):
    path = _copy(ludb_dir, tmp_path)
    data = (tmp_path / "1.dat").read_bytes()
    (tmp_path / "1.dat").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"truncated .*expected 60000 samples, found 30000"):
        read_signal(read_header(path))
    (tmp_path / "1.dat").write_bytes(data[:-1])
    with pytest.raises(ValueError, match="odd number of bytes"):
        read_signal(read_header(path))


def test_truncated_212_signal_file_raises_value_error(qtdb_dir, tmp_path):
    for suffix in ("hea", "dat"):
        shutil.copyfile(qtdb_dir / f"sel100.{suffix}", tmp_path / f"sel100.{suffix}")
    data = (tmp_path / "sel100.dat").read_bytes()
    (tmp_path / "sel100.dat").write_bytes(data[:-30])
    with pytest.raises(ValueError, match="truncated signal file"):
        read_signal(read_header(tmp_path / "sel100"))


def test_truncated_skip_in_annotation_file_raises_value_error(tmp_path):
    # a SKIP word (code 59) must be followed by a 32-bit count
    (tmp_path / "rec.bad").write_bytes(np.array([59 << 10, 0], dtype="<u2").tobytes())
    with pytest.raises(ValueError, match=r"corrupt annotation file .*rec\.bad"):
        read_annotation(tmp_path / "rec", "bad")
