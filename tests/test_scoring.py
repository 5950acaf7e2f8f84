"""One delineate-and-score pipeline: batched, per lead or by any callable, the same numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("keras")

import ecgteach
from ecgteach.delineation import DEFAULT_SEGMENTER, SegmenterInfo, score_delineator


@pytest.fixture(scope="module")
def records():
    return ecgteach.load_ludb([161, 170], leads=["ii", "v1", "v5"])


def test_batched_leads_give_what_each_lead_gives_alone(records):
    """Delineator.delineate_many (all leads in one batch) == delineate lead by lead."""
    delineator = ecgteach.Delineator()
    record = records[0]
    signals = [record.lead(lead) for lead in record.leads]
    batched = delineator.delineate_many(signals, record.fs)
    for signal, together in zip(signals, batched, strict=True):
        alone = ecgteach.delineate(signal, record.fs)
        for kind in ecgteach.WAVE_KINDS:
            np.testing.assert_array_equal(together[kind], alone[kind])


def test_a_segmenter_and_a_plain_callable_are_scored_alike(records):
    """The batched path and a function wrapping delineate score to the same numbers."""
    delineator = ecgteach.Delineator()
    batched = score_delineator(delineator, records, "all")
    by_function = score_delineator(lambda x, fs: ecgteach.delineate(x, fs), records, "all",
                                   name="delineate, lead by lead")
    assert batched.leads == by_function.leads == ("ii", "v1", "v5")
    for lead in batched.leads:
        assert batched.lead(lead).table() == by_function.lead(lead).table()
    assert batched.pooled.n_added == 6 and not batched.failures
    assert batched.records == ["161", "170"]


def test_leads_in_any_case_and_records_by_number():
    scores = score_delineator(None, [161], "II")
    assert scores.leads == ("ii",) and scores.lead("II") is scores.by_lead["ii"]
    with pytest.raises(ValueError, match="was not scored"):
        scores.lead("v1")


def test_a_failing_callable_is_scored_as_finding_nothing(records):
    def broken(signal, fs):
        raise RuntimeError("no R peaks")

    scores = score_delineator(broken, records[:1], "ii", warm_up=False)
    assert scores.failures == [("161", "ii", "RuntimeError: no R peaks")]
    qrs = scores.pooled.scores()["QRS onset"]
    assert qrs.sensitivity == 0.0 and qrs.n_true > 0


def test_each_labelled_span_is_scored_on_its_own():
    """QTDB: several labelled spans per record; predictions between them do not count."""
    record = ecgteach.load_qtdb("sel232")
    lead = record.leads[0]
    assert len(record.spans[lead]) > 1
    found = ecgteach.delineate(record.lead(lead), record.fs)
    by_span = ecgteach.DelineationScorer()
    for span in record.spans[lead]:
        by_span.add(record.waves[lead], found, record.fs, span=span)
    pipeline = score_delineator(None, [record], lead, warm_up=False).pooled
    assert pipeline.table() == by_span.table()
    outer = ecgteach.DelineationScorer()
    outer.add(record.waves[lead], found, record.fs, span=record.span(lead))
    assert outer.scores()["QRS onset"].n_pred > pipeline.scores()["QRS onset"].n_pred


def test_the_shipped_training_record_reads_back_as_written():
    raw = json.loads(DEFAULT_SEGMENTER.with_suffix(".json").read_text(encoding="utf-8"))
    info = ecgteach.segmenter_info()
    assert isinstance(info, SegmenterInfo)
    assert info.to_dict() == raw  # the typed record loses and invents nothing
    with pytest.raises(ValueError, match="unknown keys"):
        SegmenterInfo.from_dict({**raw, "train_seconds": 1})
