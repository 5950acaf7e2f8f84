"""ECG files and signals: WFDB reading and writing, students' own recordings (EDF, CSV,
.npy), wave sets, records, leads, resampling.

The bottom layer: it knows nothing of datasets, models or lessons.

>>> waves, quirks = parse_waves(["(", "N", ")", "t", ")"], [40, 45, 52, 80, 95])
>>> waves["QRS"], waves["T"]                     # onset, peak, offset; -1 = not annotated
(array([[40, 45, 52]]), array([[-1, 80, 95]]))
>>> qrs_durations_ms(waves, fs=500)
array([24.])
>>> lead_names(["II", "aVR"])
('ii', 'avr')
"""

from ecgteach.ecg.leads import STANDARD_LEADS, lead_name, lead_names
from ecgteach.ecg.recordings import Recording, load_recording
from ecgteach.ecg.records import Record, load_wfdb_record
from ecgteach.ecg.signal import (
    check_fs,
    check_signal,
    resample_record,
    resample_signal,
    standardise,
)
from ecgteach.ecg.waves import (
    MISSING,
    WAVE_KINDS,
    Quirk,
    crop_waves,
    empty_waves,
    parse_waves,
    qrs_durations_ms,
    scale_waves,
)
from ecgteach.ecg.wfdbio import (
    PEAK_SYMBOLS,
    read_annotation,
    read_header,
    read_signal,
    waves_to_annotations,
    write_annotations,
)

__all__ = [
    "MISSING",
    "PEAK_SYMBOLS",
    "STANDARD_LEADS",
    "WAVE_KINDS",
    "check_fs",
    "check_signal",
    "crop_waves",
    "empty_waves",
    "lead_name",
    "lead_names",
    "load_recording",
    "load_wfdb_record",
    "parse_waves",
    "qrs_durations_ms",
    "Quirk",
    "read_annotation",
    "read_header",
    "read_signal",
    "Record",
    "Recording",
    "resample_record",
    "resample_signal",
    "scale_waves",
    "standardise",
    "waves_to_annotations",
    "write_annotations",
]
