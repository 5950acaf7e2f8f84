"""Figures, widgets and training panels for JupyterLab (plotly + ipywidgets).

The modules: :mod:`~ecgteach.ui.plots` (figures),
:mod:`~ecgteach.ui.run_plots` (lesson 02's runs), :mod:`~ecgteach.ui.diagrams`,
:mod:`~ecgteach.ui.styles` (colours and second cues),
:mod:`~ecgteach.ui.summaries` (each figure's one-line text summary, :func:`show`),
:mod:`~ecgteach.ui.tables`,
:mod:`~ecgteach.ui.widgets` (record browser, segmentation viewer ...),
:mod:`~ecgteach.ui.panels` (training panel, comparison board) and
:mod:`~ecgteach.ui.lesson_panels` (the lessons' panels). The lessons import
from here:

>>> from ecgteach.ui import RecordBrowser
>>> browser = RecordBrowser(record=5)     # in a notebook, the cell's last line shows it
>>> browser.figure.layout.title.text
"LUDB record 5, lead ii — cardiologists' waves: ..."
>>> browser.caption.value            # under the figure: its summary, computed from the data
'<i>Figure: LUDB record 5, lead ii, 0-10 s: ... waves labelled; voltage ... mV; ...</i>'

Every figure carries such a line; ``show(fig)`` displays a figure with its
summary right under it, as a separate text output:

>>> from ecgteach import load_ludb_record
>>> figure_summary(record_figure(load_ludb_record(5, leads=["ii"]), "ii", 0, 4))
'LUDB record 5, lead ii, 0-4 s: 2 P, 2 QRS and 2 T waves labelled; voltage -0.26 to 0.66 mV;
 2.0 s not labelled (grey).'
"""

from ecgteach.ui.diagrams import lstm_cell_figure, readout_figure
from ecgteach.ui.lesson_panels import (
    LEARNING_RATES,
    classifier_panel,
    classifier_presets,
    parse_units,
    regression_panel,
    regression_presets,
    segmenter_panel,
)
from ecgteach.ui.panels import ComparisonBoard, TrainingPanel
from ecgteach.ui.plots import (
    beat_gallery_figure,
    gradient_figure,
    label_agreement_figure,
    loss_figure,
    prediction_figure,
    prediction_scatter,
    qrs_duration_figure,
    record_figure,
    robustness_figure,
    seed_beats_figure,
    updating,
    window_figure,
)
from ecgteach.ui.run_plots import mean_prediction_figure, prediction_grid
from ecgteach.ui.styles import PALETTE, WAVE_COLOURS
from ecgteach.ui.summaries import figure_summary, show
from ecgteach.ui.tables import score_table, table_html
from ecgteach.ui.widgets import (
    ProbabilityInspector,
    RecordBrowser,
    RobustnessExplorer,
    SegmentationViewer,
)

__all__ = [
    "LEARNING_RATES",
    "PALETTE",
    "WAVE_COLOURS",
    "beat_gallery_figure",
    "figure_summary",
    "gradient_figure",
    "classifier_panel",
    "classifier_presets",
    "ComparisonBoard",
    "label_agreement_figure",
    "lstm_cell_figure",
    "mean_prediction_figure",
    "prediction_grid",
    "loss_figure",
    "parse_units",
    "prediction_figure",
    "prediction_scatter",
    "ProbabilityInspector",
    "qrs_duration_figure",
    "readout_figure",
    "record_figure",
    "RecordBrowser",
    "regression_panel",
    "regression_presets",
    "robustness_figure",
    "RobustnessExplorer",
    "score_table",
    "seed_beats_figure",
    "SegmentationViewer",
    "segmenter_panel",
    "show",
    "table_html",
    "TrainingPanel",
    "updating",
    "window_figure",
]
