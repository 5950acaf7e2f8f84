"""ecgteach.ecg.recordings and ``ecgteach delineate FILE``: students' own files, wfdb the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import wfdb

import ecgteach
from ecgteach.cli import main
from ecgteach.ecg.recordings import load_recording


@pytest.fixture(scope="module")
def lead_ii() -> tuple[np.ndarray, float]:
    """LUDB record 1, lead ii, as wfdb reads it (mV, 500 Hz)."""
    record = wfdb.rdrecord(str(ecgteach.bundled_ludb_path() / "data" / "1"), channel_names=["ii"])
    return record.p_signal[:, 0], float(record.fs)


def write_csv(path, columns: dict[str, np.ndarray], delimiter: str = ",", header: bool = True):
    names = list(columns)
    rows = [delimiter.join(f"{columns[n][i]:.6g}" for n in names)
            for i in range(len(columns[names[0]]))]
    path.write_text((delimiter.join(names) + "\n" if header else "") + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("time_name, scale", [("time_s", 1.0), ("t", 1.0), ("time (ms)", 1e3),
                                              ("timestamp", 1e3)])
def test_a_csv_time_column_gives_the_rate_in_s_or_ms(tmp_path, lead_ii, time_name, scale):
    signal, fs = lead_ii
    times = np.arange(signal.size) / fs * scale
    path = write_csv(tmp_path / "phone.csv", {time_name: times, "ECG": signal})
    recording = load_recording(path)
    assert recording.fs == pytest.approx(fs) and recording.leads == ("ECG",)
    np.testing.assert_allclose(recording.signal[:, 0], signal, atol=1e-5)


def test_tables_without_time_need_fs_and_columns_are_picked(tmp_path, lead_ii):
    signal, fs = lead_ii
    path = write_csv(tmp_path / "two.tsv", {"I": signal * 0.5, "II": signal}, delimiter="\t")
    with pytest.raises(ValueError, match=r"give the sampling rate, e\.g\. --fs 500"):
        load_recording(path)
    both = load_recording(path, fs=fs)
    assert both.leads == ("I", "II") and both.signal.shape == (signal.size, 2)
    assert load_recording(path, fs=fs, column="II").leads == ("II",)
    assert load_recording(path, fs=fs, column=0).leads == ("I",)
    with pytest.raises(ValueError, match=r"has no column 'V1'; its columns: \['I', 'II'\]"):
        load_recording(path, fs=fs, column="V1")
    headerless = write_csv(tmp_path / "bare.csv", {"v": signal}, header=False)
    np.testing.assert_allclose(load_recording(headerless, fs=fs).signal[:, 0], signal, atol=1e-5)


def test_npy_and_edf_read_as_wfdb_reads_them(tmp_path, lead_ii):
    signal, fs = lead_ii
    np.save(tmp_path / "mine.npy", signal)
    np.testing.assert_array_equal(load_recording(tmp_path / "mine.npy", fs=fs).signal[:, 0],
                                  signal)
    np.save(tmp_path / "leads_first.npy", np.stack([signal, signal]))
    with pytest.raises(ValueError, match="leads first"):
        load_recording(tmp_path / "leads_first.npy", fs=fs)
    with pytest.raises(ValueError, match="--fs"):
        load_recording(tmp_path / "mine.npy")
    # EDF written by wfdb itself from the bundled record, read back through ecgteach
    from wfdb.io.convert.edf import read_edf, wfdb_to_edf

    wfdb_to_edf(str(ecgteach.bundled_ludb_path() / "data" / "1"),
                output_filename=str(tmp_path / "1.edf"))
    oracle = read_edf(str(tmp_path / "1.edf"))
    recording = load_recording(tmp_path / "1.edf")
    assert recording.fs == oracle.fs and list(recording.leads) == list(oracle.sig_name)
    np.testing.assert_array_equal(recording.signal, oracle.p_signal)
    assert recording.lead("II")[0] == "ii" and recording.seconds >= 10


def test_wfdb_records_load_by_path_or_header(lead_ii):
    path = ecgteach.bundled_ludb_path() / "data" / "1"
    for given in (path, path.with_suffix(".hea")):
        recording = load_recording(given)
        assert recording.fs == 500.0 and len(recording.leads) == 12
        np.testing.assert_allclose(recording.lead("II")[1], lead_ii[0], atol=1e-6)
    with pytest.raises(ValueError, match="drop --fs"):
        load_recording(path, fs=500)


@pytest.mark.parametrize("problem, match", [
    ("text", r"column 'ECG' is not numeric \(e\.g\. 'n/a'\)"),
    ("nan", r"lead 'ECG' has 10 missing or non-finite values \(the first at sample 100"),
    ("short", r"1\.00 s of signal is too short to delineate \(at least 2 s\)"),
    ("slow", r"a sampling rate of 20 Hz is implausible"),
    ("fast", r"a sampling rate of 20000 Hz is implausible"),
    ("ragged", r"line 4 has 1 values, the header 2"),
    ("mismatch", r"--fs 250 disagrees with its time column"),
])
def test_bad_files_get_one_clear_sentence(tmp_path, lead_ii, problem, match):
    signal, fs = lead_ii
    times, column, kwargs = np.arange(signal.size) / fs, signal.copy(), {}
    path = tmp_path / "bad.csv"
    if problem == "text":
        write_csv(path, {"t": times, "ECG": column})
        lines = path.read_text().splitlines()
        lines[5] = lines[5].split(",")[0] + ",n/a"
        path.write_text("\n".join(lines))
    elif problem == "nan":
        column[100:110] = np.nan
        write_csv(path, {"t": times, "ECG": column})
    elif problem == "short":
        write_csv(path, {"t": times[:500], "ECG": column[:500]})
    elif problem == "slow":
        write_csv(path, {"t": np.arange(200) / 20.0, "ECG": column[:200]})
    elif problem == "fast":
        write_csv(path, {"t": np.arange(50000) / 20000.0, "ECG": np.resize(column, 50000)})
    elif problem == "ragged":
        write_csv(path, {"t": times, "ECG": column})
        lines = path.read_text().splitlines()
        lines[3] = lines[3].split(",")[0]
        path.write_text("\n".join(lines))
    elif problem == "mismatch":
        write_csv(path, {"time_s": times, "ECG": column})
        kwargs = {"fs": 250}
    with pytest.raises(ValueError, match=match):
        load_recording(path, **kwargs)


def test_unknown_suffix_and_missing_file(tmp_path):
    (tmp_path / "scan.png").write_bytes(b"x")
    with pytest.raises(ValueError, match="unknown file type '.png'"):
        load_recording(tmp_path / "scan.png")
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_recording(tmp_path / "nope.csv")


@pytest.mark.slow
def test_delineate_a_csv_from_the_command_line(tmp_path, lead_ii, capsys):
    pytest.importorskip("keras")
    signal, fs = lead_ii
    path = write_csv(tmp_path / "watch.csv", {"time_ms": np.arange(signal.size) * 2.0,
                                              "ECG": signal})
    assert main(["delineate", str(path), "--csv"]) == 0
    out = capsys.readouterr().out
    assert "watch.ecgteach" in out and "watch_waves.csv" in out
    # the annotation file is a real WFDB annotation: wfdb reads it, beside the CSV
    annotation = wfdb.rdann(str(tmp_path / "watch"), "ecgteach")
    assert annotation.fs == fs and annotation.symbol.count("N") >= 8  # the 8 beats of record 1
    table = (tmp_path / "watch_waves.csv").read_text().splitlines()
    assert table[0] == "wave,onset_s,peak_s,offset_s"
    qrs = [row for row in table[1:] if row.startswith("QRS,")]
    assert len(qrs) == annotation.symbol.count("N")
    peaks = [float(row.split(",")[2]) for row in qrs]
    assert peaks == sorted(peaks) and 0 < peaks[0] < 10
    # the same lead through --column, and the errors as one line with exit status 2
    assert main(["delineate", str(path), "--column", "ECG"]) == 0
    capsys.readouterr()
    assert main(["delineate", str(path), "--column", "II"]) == 2
    assert "has no column 'II'" in capsys.readouterr().err
    np.save(tmp_path / "raw.npy", signal)
    assert main(["delineate", str(tmp_path / "raw.npy")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--fs" in err
    assert main(["delineate", str(tmp_path / "raw.npy"), "--fs", str(fs)]) == 0
    assert (tmp_path / "raw.ecgteach").exists()
