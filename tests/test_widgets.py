"""Widgets driven headless: set a control's value, check the figure changed accordingly."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.ui import WAVE_COLOURS, RecordBrowser


@pytest.fixture(scope="module")
def browser():
    return RecordBrowser(record=1, lead="ii")


def _qrs_shapes(figure):
    return [s for s in figure.layout.shapes if s.fillcolor == WAVE_COLOURS["QRS"]]


def test_initial_view_shows_record_1(browser):
    record = ecgteach.load_ludb_record(1)
    np.testing.assert_allclose(browser.figure.data[0].y, record.lead("ii"), rtol=1e-6)
    assert "record 1, lead ii" in browser.figure.layout.title.text
    assert "patient 1" in browser.summary.value


def test_changing_record_redraws_signal_and_waves(browser):
    browser.record.value = 17
    record = ecgteach.load_ludb_record(17)
    np.testing.assert_allclose(browser.figure.data[0].y, record.lead("ii"), rtol=1e-6)
    assert len(_qrs_shapes(browser.figure)) == len(record.waves["ii"]["QRS"])
    assert "record 17" in browser.figure.layout.title.text
    assert "patient 17" in browser.summary.value
    # what a reloaded page draws (the widget state) is the new record too
    np.testing.assert_allclose(browser.figure._widget_data[0]["y"], record.lead("ii"), rtol=1e-6)
    assert "record 17" in browser.figure._widget_layout["title"]["text"]


def test_slider_drives_the_record(browser):
    browser.record_slider.value = 104
    assert browser.record.value == 104
    assert "record 104" in browser.figure.layout.title.text
    assert "quirk" in browser.summary.value  # record 104 lead ii has QRS without onsets


def test_changing_lead_and_window(browser):
    browser.record.value = 5
    browser.lead.value = "v1"
    browser.window.value = (2.0, 4.0)
    x = np.asarray(browser.figure.data[0].x)
    assert x[0] == pytest.approx(2.0) and x[-1] == pytest.approx(4.0)
    record = ecgteach.load_ludb_record(5)
    np.testing.assert_allclose(
        browser.figure.data[0].y, record.lead("v1")[1000 : 1000 + x.size], rtol=1e-6
    )
    qrs = record.waves["v1"]["QRS"]
    in_window = ((qrs[:, 2] / 500 >= 2.0) & (qrs[:, 0] / 500 <= 4.0)).sum()
    assert len(_qrs_shapes(browser.figure)) == in_window
