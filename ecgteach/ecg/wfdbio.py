"""Fast reading of WFDB files, checked against ``wfdb`` itself.

``wfdb.rdann`` re-parses the record header (through pandas) for every annotation
file, about 10 ms a file: reading LUDB's 2,400 annotation files takes ~25 s that
way. This module reads the common cases directly with numpy — single-segment
headers, signal formats 16 and 212, MIT-format annotation files — and hands
everything else to ``wfdb.rdrecord`` / ``wfdb.rdann``. ``tests/test_wfdbio.py``
checks that every bundled file reads exactly as ``wfdb`` reads it.

>>> from ecgteach import bundled_ludb_path
>>> path = bundled_ludb_path() / "data" / "1"        # LUDB record 1: 1.hea, 1.dat, 1.ii ...
>>> header = read_header(path)
>>> header.fs, header.n_samples, header.sig_names[:3]
(500.0, 5000, ('i', 'ii', 'iii'))
>>> read_signal(header).shape                        # (n_samples, n_leads) float32, mV
(5000, 12)
>>> symbols, samples = read_annotation(path, "ii")
>>> symbols[:3], samples[:3]
(['(', 'N', ')'], array([644, 662, 682]))
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# MIT annotation codes -> symbols (WFDB's standard table, as in wfdb.io.annotation).
_ANN_SYMBOLS = {
    1: "N", 2: "L", 3: "R", 4: "a", 5: "V", 6: "F", 7: "J", 8: "A", 9: "S", 10: "E",
    11: "j", 12: "/", 13: "Q", 14: "~", 16: "|", 18: "s", 19: "T", 20: "*", 21: "D",
    22: '"', 23: "=", 24: "p", 25: "B", 26: "^", 27: "t", 28: "+", 29: "u", 30: "?",
    31: "!", 32: "[", 33: "]", 34: "e", 35: "n", 36: "@", 37: "x", 38: "f", 39: "(",
    40: ")", 41: "r",
}
_SKIP, _NUM, _SUB, _CHN, _AUX = 59, 60, 61, 62, 63


@dataclass(frozen=True)
class Header:
    """The parts of a WFDB header ecgteach needs (as returned by :func:`read_header`).

    >>> from ecgteach import bundled_ludb_path
    >>> header = read_header(bundled_ludb_path() / "data" / "1")
    >>> header.path.name, header.formats[0], header.gains[:2]
    ('1', '16', (1716.0, 1206.0))
    """

    path: Path  # record path without extension
    fs: float
    n_samples: int
    sig_names: tuple[str, ...]
    files: tuple[str, ...]
    formats: tuple[str, ...]
    gains: tuple[float, ...]
    baselines: tuple[int, ...]
    comments: tuple[str, ...]


def _strip_ext(path: str | Path) -> Path:
    path = Path(path)
    return path.with_suffix("") if path.suffix == ".hea" else path


def read_header(record_path: str | Path) -> Header:
    """Parse ``<record>.hea``. Raises ``FileNotFoundError`` or ``ValueError`` (corrupt).

    >>> from ecgteach import bundled_ludb_path
    >>> header = read_header(bundled_ludb_path() / "data" / "1.hea")   # the extension is optional
    >>> len(header.sig_names), header.comments[:2]
    (12, ('<age>: 51', '<sex>: F'))
    """
    record_path = _strip_ext(record_path)
    hea = record_path.parent / (record_path.name + ".hea")
    if not hea.is_file():
        raise FileNotFoundError(f"WFDB header not found: {hea}")
    try:
        lines = hea.read_text(encoding="latin-1").splitlines()
    except OSError as error:  # pragma: no cover - unreadable file
        raise FileNotFoundError(f"cannot read {hea}: {error}") from error
    content = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    comments = tuple(line[1:].strip() for line in lines if line.startswith("#"))
    try:
        first = content[0].split()
        if "/" in first[0]:
            raise ValueError("multi-segment records are not supported by the fast reader")
        n_signals = int(first[1])
        fs = float(first[2].split("/")[0].split("(")[0]) if len(first) > 2 else 250.0
        n_samples = int(first[3]) if len(first) > 3 else 0
        files, formats, gains, baselines, names = [], [], [], [], []
        for line in content[1 : 1 + n_signals]:
            fields = line.split(maxsplit=8)  # the description (name) may contain spaces
            files.append(fields[0])
            formats.append(fields[1])
            gain_text = fields[2] if len(fields) > 2 else "200"
            gain_part = gain_text.split("/")[0]
            adc_zero = int(fields[4]) if len(fields) > 4 else 0
            if "(" in gain_part:
                gain_value, baseline_text = gain_part.split("(")
                baseline = int(baseline_text.rstrip(")"))
            else:
                gain_value, baseline = gain_part, adc_zero
            gain = float(gain_value) or 200.0
            gains.append(gain)
            baselines.append(baseline)
            names.append(fields[8] if len(fields) > 8 else f"sig{len(names)}")
        if len(files) != n_signals:
            raise ValueError(f"header announces {n_signals} signals, lists {len(files)}")
    except (IndexError, ValueError) as error:
        raise ValueError(f"corrupt WFDB header {hea}: {error}") from error
    return Header(
        record_path, fs, n_samples, tuple(names), tuple(files), tuple(formats),
        tuple(gains), tuple(baselines), comments,
    )


def _digital(header: Header) -> np.ndarray:
    """Digital samples (n_samples, n_signals) for single-file format 16 or 212 records."""
    n_signals = len(header.files)
    data_file = header.path.parent / header.files[0]
    if not data_file.is_file():
        raise FileNotFoundError(f"WFDB signal file not found: {data_file}")
    raw = np.fromfile(data_file, dtype=np.uint8)
    fmt = header.formats[0]
    if fmt == "16":
        if raw.size % 2:
            raise ValueError(f"corrupt signal file {data_file}: odd number of bytes for format 16")
        values = raw.view("<i2").astype(np.int32)
    else:  # "212": two 12-bit samples in three bytes
        raw = raw[: raw.size - raw.size % 3].reshape(-1, 3).astype(np.int32)
        first = raw[:, 0] | ((raw[:, 1] & 0x0F) << 8)
        second = raw[:, 2] | ((raw[:, 1] & 0xF0) << 4)
        values = np.stack([first, second], axis=1).ravel()
        values = np.where(values > 2047, values - 4096, values)
    n_samples = header.n_samples or values.size // n_signals
    if values.size < n_samples * n_signals:
        raise ValueError(
            f"corrupt or truncated signal file {data_file}: expected "
            f"{n_samples * n_signals} samples, found {values.size}"
        )
    return values[: n_samples * n_signals].reshape(n_samples, n_signals)


def _fast_readable(header: Header) -> bool:
    return len(set(header.files)) == 1 and len(set(header.formats)) == 1 and header.formats[
        0
    ] in {"16", "212"}


def read_signal(header: Header) -> np.ndarray:
    """Physical signal ``(n_samples, n_signals)`` float32 in the header's units (mV).

    Invalid samples (WFDB's sentinel) become NaN, as in ``wfdb.rdrecord``.

    >>> from ecgteach import bundled_ludb_path
    >>> signal = read_signal(read_header(bundled_ludb_path() / "data" / "1"))
    >>> signal.shape, signal.dtype
    ((5000, 12), dtype('float32'))
    """
    if not _fast_readable(header):
        import wfdb

        record = wfdb.rdrecord(str(header.path))
        return record.p_signal.astype(np.float32)
    digital = _digital(header)
    invalid = -32768 if header.formats[0] == "16" else -2048
    gains = np.asarray(header.gains, dtype=np.float64)
    baselines = np.asarray(header.baselines, dtype=np.float64)
    physical = (digital - baselines) / gains
    physical[digital == invalid] = np.nan
    return physical.astype(np.float32)


def read_annotation(record_path: str | Path, extension: str) -> tuple[list[str], np.ndarray]:
    """Symbols and sample indices of a MIT-format annotation file ``<record>.<extension>``.

    >>> from ecgteach import bundled_ludb_path
    >>> symbols, samples = read_annotation(bundled_ludb_path() / "data" / "1", "ii")
    >>> len(symbols), "".join(symbols[:9])
    (48, '(N)(t)(p)')
    """
    record_path = _strip_ext(record_path)
    path = record_path.parent / f"{record_path.name}.{extension}"
    if not path.is_file():
        raise FileNotFoundError(f"WFDB annotation file not found: {path}")
    raw = np.fromfile(path, dtype="<u2")
    codes = (raw >> 10).tolist()
    intervals = (raw & 0x3FF).tolist()
    symbols: list[str] = []
    samples: list[int] = []
    sample = 0
    index = 0
    n_words = len(codes)
    while index < n_words:
        code, interval = codes[index], intervals[index]
        if code == 0 and interval == 0:
            break
        if code == _SKIP:
            if index + 2 >= n_words:
                raise ValueError(f"corrupt annotation file {path}: truncated SKIP")
            high, low = int(raw[index + 1]), int(raw[index + 2])
            skip = (high << 16) | low
            if skip >= 1 << 31:
                skip -= 1 << 32
            sample += skip
            index += 3
            continue
        if code in (_NUM, _SUB, _CHN):
            index += 1
            continue
        if code == _AUX:
            if sample == 0 and symbols == [] and index + 1 < n_words:
                # a custom label table ("## ..." notes) written by wrann: let wfdb decode it
                return _read_annotation_wfdb(record_path, extension)
            index += 1 + (interval + 1) // 2
            continue
        sample += interval
        if code not in _ANN_SYMBOLS:
            return _read_annotation_wfdb(record_path, extension)
        symbols.append(_ANN_SYMBOLS[code])
        samples.append(sample)
        index += 1
    return symbols, np.asarray(samples, dtype=np.int64)


def _read_annotation_wfdb(record_path: Path, extension: str) -> tuple[list[str], np.ndarray]:
    import wfdb

    ann = wfdb.rdann(str(record_path), extension)
    return list(ann.symbol), np.asarray(ann.sample, dtype=np.int64)

#: WFDB peak symbols written for each wave kind.
PEAK_SYMBOLS = {"P": "p", "QRS": "N", "T": "t"}


def waves_to_annotations(waves: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """Wave set -> sorted WFDB ``(`` peak ``)`` annotations (missing boundaries omitted).

    >>> waves = {"QRS": np.array([[40, 45, 52]]), "T": np.array([[-1, 80, 95]])}
    >>> samples, symbols = waves_to_annotations(waves)
    >>> samples, symbols
    (array([40, 45, 52, 80, 95]), ['(', 'N', ')', 't', ')'])
    """
    items = []
    for kind, rows in waves.items():
        for onset, peak, offset in rows:
            if onset >= 0:
                items.append((int(onset), 0, "("))
            items.append((int(peak), 1, PEAK_SYMBOLS[kind]))
            if offset >= 0:
                items.append((int(offset), 2, ")"))
    items.sort()
    return np.array([i[0] for i in items], dtype=np.int64), [i[2] for i in items]


def write_annotations(
    record_path: str | Path, extension: str,
    waves: dict[str, np.ndarray] | Sequence[dict[str, np.ndarray]], fs: float,
) -> Path:
    """Write waves as a WFDB annotation file ``<record>.<extension>``, atomically.

    ``waves``: one wave set, or a list of them, one per lead: lead ``k``'s
    annotations are written on channel ``k`` (WFDB's ``chan`` field). The
    folder of ``record_path`` must exist; the record itself need not.

    >>> folder = tempfile.TemporaryDirectory()
    >>> waves = {"QRS": np.array([[40, 45, 52]]), "T": np.array([[-1, 80, 95]])}
    >>> write_annotations(Path(folder.name) / "rec1", "test", waves, fs=250).name
    'rec1.test'
    >>> read_annotation(Path(folder.name) / "rec1", "test")
    (['(', 'N', ')', 't', ')'], array([40, 45, 52, 80, 95]))
    >>> _ = write_annotations(Path(folder.name) / "rec1", "two", [waves, waves], fs=250)
    >>> import wfdb
    >>> wfdb.rdann(str(Path(folder.name) / "rec1"), "two").chan.tolist()[:6]
    [0, 1, 0, 1, 0, 1]
    >>> folder.cleanup()
    """
    import wfdb

    record_path = Path(record_path)
    if not extension.isalnum():
        raise ValueError(f"the annotation extension must be letters/digits, got {extension!r}")
    sets = [waves] if isinstance(waves, dict) else list(waves)
    items = []
    for chan, one in enumerate(sets):
        samples, symbols = waves_to_annotations(one)
        items += [(int(sample), chan, order, symbol)
                  for order, (sample, symbol) in enumerate(zip(samples, symbols, strict=True))]
    if not items:
        raise ValueError("no waves were found: nothing to write")
    items.sort()
    target = record_path.parent / f"{record_path.name}.{extension}"
    staging = Path(tempfile.mkdtemp(prefix=".ecgteach-", dir=record_path.parent))
    try:
        wfdb.wrann(
            record_path.name, extension, np.array([i[0] for i in items], dtype=np.int64),
            symbol=[i[3] for i in items], fs=fs, write_dir=str(staging),
            chan=np.array([i[1] for i in items], dtype=np.int64) if len(sets) > 1 else None,
        )
        os.replace(staging / target.name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
