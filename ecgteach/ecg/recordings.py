"""Students' own recordings: one loader for WFDB, EDF, CSV/TSV and NumPy ``.npy`` files.

:func:`load_recording` returns a :class:`Recording` (signal ``(n_samples, n_leads)``,
sampling rate, lead names) from any of them, and says in one line what is wrong
with a file it cannot use: a missing ``fs``, a non-numeric or unknown column,
gaps (NaN), fewer than 2 s of signal, an implausible rate.

* WFDB: the record path, with or without ``.hea``;
* EDF: through ``wfdb``'s EDF reader;
* CSV/TSV (``.csv``, ``.tsv``, ``.txt``): one column per lead, an optional header
  row; a time column (named ``time``/``t``/``seconds``/``ms``…) is detected, its
  unit (s or ms) read from its name or its step, and gives ``fs``; without one,
  ``fs`` is required. ``column`` picks a lead by name or index;
* ``.npy``: ``(n_samples,)`` or ``(n_samples, n_leads)``; ``fs`` required.

A phone export with a time column in ms:

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> t = np.arange(0, 3000, 4)                                      # 4 ms steps: 250 Hz
>>> rows = "\\n".join(f"{ms},{np.sin(ms / 100):.4f}" for ms in t)
>>> _ = (folder / "watch.csv").write_text("time_ms,ecg_mv\\n" + rows)
>>> recording = load_recording(folder / "watch.csv")
>>> recording.fs, recording.leads, recording.signal.shape
(250.0, ('ecg_mv',), (750, 1))
>>> load_recording(folder / "watch.csv", column="lead_ii")
Traceback (most recent call last):
...
ValueError: watch.csv has no column 'lead_ii'; its columns: ['time_ms', 'ecg_mv']
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgteach.ecg.wfdbio import read_header, read_signal

#: The rates a recording may have (Hz): below, no QRS survives; above, not an ECG export.
FS_RANGE: tuple[float, float] = (50.0, 10_000.0)
#: The shortest recording worth delineating (s): a couple of beats.
MIN_SECONDS = 2.0
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
_TIME_NAMES = re.compile(r"^(t|time|times|timestamp|seconds?|secs?|s|ms|millis(econds?)?)"
                         r"([ _\-\[(]*(s|ms|sec|seconds?|millis(econds?)?)[\])]*)?$", re.I)


@dataclass(frozen=True, eq=False)
class Recording:
    """A signal to delineate: ``signal`` ``(n_samples, n_leads)`` float, ``fs`` in Hz, ``leads``."""

    path: Path
    signal: np.ndarray
    fs: float
    leads: tuple[str, ...]

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return self.signal.shape[0] / self.fs

    def lead(self, name: str | int | None = None) -> tuple[str, np.ndarray]:
        """``(name, samples)`` of one lead: by name (any case), index, or the first one.

        >>> recording = Recording(Path("x.npy"), np.zeros((1000, 2)), 250.0, ("I", "II"))
        >>> recording.lead("ii")[0], recording.lead(1)[0], recording.lead()[0]
        ('II', 'II', 'I')
        """
        if name is None:
            index = 0
        elif isinstance(name, int) or str(name).isdigit():
            index = int(name)
            if not 0 <= index < len(self.leads):
                raise ValueError(f"{self.path.name} has {len(self.leads)} lead(s); index "
                                 f"{index} is out of range")
        else:
            lowered = [lead.lower() for lead in self.leads]
            if str(name).lower() not in lowered:
                raise ValueError(f"{self.path.name} has no lead {name!r}; its leads: "
                                 f"{list(self.leads)}")
            index = lowered.index(str(name).lower())
        return self.leads[index], self.signal[:, index]


def _check(path: Path, signal: np.ndarray, fs: float | None, leads: tuple[str, ...]) -> Recording:
    """Validate what was read; every problem is one sentence saying what to do."""
    name = path.name
    if fs is None:
        raise ValueError(f"{name} has no time column or rate: give the sampling rate, e.g. "
                         "--fs 500 (fs=500 in Python)")
    fs = float(fs)
    if not FS_RANGE[0] <= fs <= FS_RANGE[1]:
        raise ValueError(f"{name}: a sampling rate of {fs:g} Hz is implausible for an ECG "
                         f"(expected {FS_RANGE[0]:g}-{FS_RANGE[1]:g} Hz); check --fs or the "
                         "time column's unit")
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim == 1:
        signal = signal[:, None]
    if signal.ndim != 2:
        raise ValueError(f"{name}: expected samples x leads, got an array of shape "
                         f"{signal.shape}")
    missing = ~np.isfinite(signal)
    if missing.any():
        sample, lead = np.argwhere(missing)[0]
        raise ValueError(f"{name}: lead {leads[lead]!r} has {int(missing[:, lead].sum())} missing "
                         f"or non-finite values (the first at sample {sample}, "
                         f"{sample / fs:.2f} s): cut the recording or fill the gaps first")
    if signal.shape[0] / fs < MIN_SECONDS:
        raise ValueError(f"{name}: {signal.shape[0] / fs:.2f} s of signal is too short to "
                         f"delineate (at least {MIN_SECONDS:g} s)")
    return Recording(path, signal, fs, tuple(leads))


def _is_time_name(name: str) -> bool:
    return bool(_TIME_NAMES.match(name.strip()))


def _time_to_fs(name: str, values: np.ndarray, path: Path) -> float:
    """The sampling rate from a time column: unit from the name, else from the step."""
    steps = np.diff(values)
    if steps.size == 0 or not (steps > 0).all():
        raise ValueError(f"{path.name}: the time column {name!r} does not increase sample by "
                         "sample")
    step = float(np.median(steps))
    lowered = name.lower()
    in_ms = "ms" in lowered or "milli" in lowered
    if not in_ms and not re.search(r"(^|[^a-z])(s|sec|secs|seconds?)([^a-z]|$)", lowered):
        in_ms = step >= 0.1  # a step of 0.1 or more: ms (10 kHz in s would be 1e-4)
    return 1000.0 / step if in_ms else 1.0 / step


def _read_table(path: Path, fs: float | None, column: str | int | None) -> Recording:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise ValueError(f"{path.name} is empty")
    delimiter = "\t" if path.suffix == ".tsv" else None
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(lines[0], delimiters=",;\t ").delimiter
        except csv.Error:
            delimiter = ","
    rows = list(csv.reader(lines, delimiter=delimiter, skipinitialspace=True))

    def numeric(cell: str) -> bool:
        try:
            float(cell)
        except ValueError:
            return cell.strip().lower() in ("", "nan", "na")
        return True

    has_header = not all(numeric(cell) for cell in rows[0])
    names = [c.strip() for c in rows[0]] if has_header else [f"column {i}"
                                                           for i in range(len(rows[0]))]
    body = rows[1:] if has_header else rows
    width = len(names)
    if any(len(row) != width for row in body):
        bad = next(i for i, row in enumerate(body) if len(row) != width)
        raise ValueError(f"{path.name}: line {bad + 1 + has_header} has "
                         f"{len(body[bad])} values, the header {width}")
    columns: dict[str, np.ndarray] = {}
    for index, name in enumerate(names):
        cells = [row[index].strip() for row in body]
        try:
            columns[name] = np.array([float(c) if c and c.lower() not in ("nan", "na")
                                      else np.nan for c in cells])
        except ValueError:
            example = next(c for c in cells if not numeric(c))
            raise ValueError(f"{path.name}: column {name!r} is not numeric (e.g. {example!r}); "
                             "pick an ECG column with --column") from None
    time_names = [n for n in names if _is_time_name(n)] if has_header else []
    if not time_names and not has_header and width > 1:
        first = columns[names[0]]
        steps = np.diff(first)
        if steps.size and (steps > 0).all() and np.allclose(steps, steps[0], rtol=1e-3):
            time_names = [names[0]]  # a headerless first column that ticks evenly: time
    detected_fs = None
    if time_names:
        detected_fs = _time_to_fs(time_names[0], columns[time_names[0]], path)
    if fs is not None and detected_fs is not None and abs(fs - detected_fs) > 0.01 * fs:
        raise ValueError(f"{path.name}: --fs {fs:g} disagrees with its time column "
                         f"{time_names[0]!r} ({detected_fs:.4g} Hz)")
    leads = [n for n in names if n not in time_names]
    if not leads:
        raise ValueError(f"{path.name} has only a time column, no signal")
    if column is not None:
        if isinstance(column, int) or str(column).isdigit():
            index = int(column)
            if not 0 <= index < width:
                raise ValueError(f"{path.name} has {width} columns; index {index} is out of "
                                 "range")
            leads = [names[index]]
        elif str(column) in names:
            leads = [str(column)]
        else:
            raise ValueError(f"{path.name} has no column {str(column)!r}; its columns: {names}")
    signal = np.stack([columns[n] for n in leads], axis=1)
    return _check(path, signal, fs if fs is not None else detected_fs, tuple(leads))


def _read_wfdb(path: Path) -> Recording:
    header = read_header(path)
    return _check(header.path, read_signal(header), header.fs, tuple(header.sig_names))


def _read_edf(path: Path) -> Recording:
    from wfdb.io.convert.edf import read_edf

    record = read_edf(str(path))
    return _check(path, record.p_signal, record.fs, tuple(record.sig_name))


def load_recording(path: str | Path, fs: float | None = None,
                   column: str | int | None = None) -> Recording:
    """Read an ECG from a WFDB, EDF, CSV/TSV or ``.npy`` file (see the module's notes).

    ``fs``: the sampling rate, required for ``.npy`` and for tables without a time
    column (and checked against the time column when both are there).
    ``column``: one table column (name or index) to keep as the lead.
    """
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix in ("", ".hea", ".dat"):
        if fs is not None:
            raise ValueError(f"{path.name} is a WFDB record: its header gives the rate; drop "
                             "--fs")
        return _read_wfdb(path.with_suffix("") if suffix else path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if suffix == ".edf":
        return _read_edf(path)
    if suffix in TABLE_SUFFIXES:
        return _read_table(path, fs, column)
    if suffix == ".npy":
        array = np.load(path, allow_pickle=False)
        if array.ndim == 2 and array.shape[0] < array.shape[1]:
            raise ValueError(f"{path.name} has shape {array.shape}: leads first? ecgteach reads "
                             "(n_samples, n_leads); save array.T instead")
        leads = tuple(f"lead {i}" for i in range(1 if array.ndim == 1 else array.shape[1]))
        return _check(path, array, fs, leads)
    raise ValueError(f"{path.name}: unknown file type {suffix!r}; ecgteach reads WFDB (.hea), "
                     ".edf, .csv/.tsv/.txt and .npy")
