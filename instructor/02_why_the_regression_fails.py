# %% [markdown]
# # Lesson 02 — Why the regression LSTM fails
#
# The learner's network read `[time_ms, voltage]` beats, kept only the **last** hidden
# state of a stacked LSTM and regressed `[qrs_onset, qrs_offset]` with MSE. After 4000
# epochs it predicted the same place for every ECG. The forum's explanation: "an LSTM
# cannot regress a position". In this lesson we **measure** what actually went wrong,
# changing one thing at a time, on real beats.
#
# **You will:** reproduce the collapse, measure it (collapse ratio, error against
# always predicting the mean), test two suspects — the scale of the targets and the
# scale of the inputs — and retrain the model yourself with the learner's knobs.

# %%
import ecgteach
from ecgteach.beats import input_saturation
from ecgteach.ui import (
    ComparisonBoard,
    loss_figure,
    prediction_scatter,
    regression_panel,
    table_html,
)

FAST = ecgteach.fast()  # ECGTEACH_FAST=1: small data and 1 epoch (for the test suite)
QUICK = {"epochs": 1} if FAST else {}

# %% [markdown]
# ## 1. The learner's data
#
# Beats in the learner's format (lesson 01), for the training and validation patients
# and the fixed test patients (records 161–200). No patient is in two parts.

# %%
splits = ecgteach.beat_splits(fast=FAST)
splits

# %% [markdown]
# ## 2. The learner's model, exactly
#
# `LSTM(64) → LSTM(256) → LSTM(100)`, dropout 0.1, last hidden state only, `Dense(2)`,
# MSE, RMSprop, on raw `[time_ms, voltage]` rows with raw index targets.
#
# This network is big for a laptop (the cell prints its size and how long it took to
# train), and the lesson needs four of them. So ecgteach **ships these four already
# trained**, by this very call (`scripts/build_lesson_models.py`): the cell loads them,
# and every number below is computed now from their predictions on real beats (the loss
# curves and training times were recorded when they were trained). To watch one train
# here, pick it in the panel's **start from** menu in section 6 and press Train.

# %%
learner = ecgteach.run_lesson_setting("learner_raw", splits, cache="shipped", progress=None,
                                      **QUICK)
print(f"{learner.name}: {learner.params:,} parameters, weights {learner.source}, "
      f"{learner.epochs_run} epochs in {learner.train_seconds:.0f} s")
loss_figure(learner.history, title="the learner's model: loss per epoch")

# %% [markdown]
# Does it predict a different place for different beats? One dot per validation beat:
# on the dashed line the prediction is perfect; a **horizontal** row of dots means the
# same answer for every beat.

# %%
prediction_scatter(learner)

# %%
print(ecgteach.regression_report(learner))

# %% [markdown]
# The **collapse ratio** is the standard deviation of the predictions divided by that of
# the true labels: 1 means the predictions vary as much as the truth, 0 means one
# constant answer. Compare the model's error with the simplest possible model, "always
# predict the training mean".

# %% [markdown]
# ## 3. Suspect 1: the scale of the targets
#
# The targets are indices from about 50 to 150, but a freshly initialised network outputs
# values near 0 and MSE gradients on such targets are huge. Z-score the targets (and map
# predictions back), nothing else:

# %%
zscored_targets = ecgteach.run_lesson_setting("learner_zscore_targets", splits, cache="shipped",
                                              progress=None, **QUICK)
print(ecgteach.regression_report(zscored_targets))

# %% [markdown]
# ## 4. Suspect 2: the scale of the inputs
#
# The time channel runs from 0 to ~800 ms; the voltage is a few millivolts. An LSTM's
# gates are sigmoids of `x · W + …`: with `x = 800`, even small weights push them into
# the flat ends of the sigmoid, where gradients vanish. Measured on the learner's
# trained first layer, per input channel:

# %%
first_layer_input = learner.scaler.x(splits.val)
saturation = input_saturation(learner.models["model"], first_layer_input)
for channel, name in (("channel 0", "time_ms"), ("channel 1", "voltage")):
    print(f"{name:8s}: {saturation[channel]:.0%} of gate inputs saturated (|z| > 4)")

# %% [markdown]
# Standardising the **voltage alone** leaves the time channel as it is:

# %%
standardised_voltage = ecgteach.run_lesson_setting("learner_standardise_voltage", splits,
                                                   cache="shipped", progress=None, **QUICK)
print(ecgteach.regression_report(standardised_voltage))

# %% [markdown]
# ## 5. Both fixes together
#
# Scale the time channel to 0–1, standardise the voltage and z-score the targets — the
# learner's *same* network:

# %%
scaled = ecgteach.run_lesson_setting("learner_scaled", splits, cache="shipped", progress=None,
                                     **QUICK)
print(ecgteach.regression_report(scaled))
prediction_scatter(scaled)

# %% [markdown]
# And a much smaller network, one `LSTM(32)` with Adam, on the scaled data. This one
# is cheap, so it trains **here** (up to 30 epochs, keeping the best validation epoch;
# the table below gives its size and training time):

# %%
small = ecgteach.run_lesson_setting("small_lstm_adam", splits, cache="user", progress="text",
                                    **({"epochs": 2} if FAST else {}))
print(ecgteach.regression_report(small))
loss_figure(small.history, title="LSTM(32) + Adam: loss per epoch")

# %% [markdown]
# All five runs side by side, on the validation beats:

# %%
runs = [learner, zscored_targets, standardised_voltage, scaled, small]
rows = [r.summary_row("val") for r in runs]
table_html(rows, ["model", "scaling", "weights", "params", "epochs", "train_s", "onset_mae_ms",
                  "offset_mae_ms",
                  "onset_collapse_ratio", "offset_collapse_ratio", "onset_mae_mean_baseline_ms"])

# %%
best = min(runs, key=lambda r: r.metrics["val"]["mae_ms"].mean())
collapsed = [r.name for r in runs
             if r.metrics["val"]["collapse_ratio"].max() < ecgteach.COLLAPSED_BELOW]
print(f"collapsed (ratio < {ecgteach.COLLAPSED_BELOW}):", ", ".join(collapsed) or "none")
print(f"lowest error: {best.name} — onset MAE {best.metrics['val']['mae_ms'][0]:.1f} ms, "
      f"offset MAE {best.metrics['val']['mae_ms'][1]:.1f} ms")

# %% [markdown]
# ## 6. Your turn: retrain with the learner's knobs
#
# The forum suggested more or fewer layers and units, Adam instead of RMSprop,
# dropout, a Conv1D front end, and voltage only. Try them — one change at a time — and
# watch the loss. The **start from** menu sets every knob of one of the models above
# (press Train to retrain it here; the progress line estimates the time left). **Stop**
# ends a run at the end of the current batch; every finished run lands on the board
# below, so you can compare what you tried.

# %%
board = ComparisonBoard(metric="QRS onset MAE (ms)")
regression_panel(splits, board)

# %%
board

# %% [markdown]
# ## Conclusion
#
# Read your measurements above, not the folklore:
#
# * the learner's exact model, on the learner's exact data, gives (nearly) one answer for
#   every beat — the collapse ratio says how close to one constant;
# * which single change fixes it, and which does not, is in the table of section 5;
# * once inputs and targets are on a sensible scale, the same last-state LSTM *can*
#   regress a position.
#
# So why do lessons 03 and 04 still change the formulation? A regression gives one
# number per boundary with no sense of uncertainty and assumes exactly one beat per
# row. A classification over time steps gives a probability curve you can read, and a
# segmentation labels any number of beats in any length of signal. Lesson 03 measures
# whether that also makes the errors smaller.
#
# ## Exercises
#
# **1.** With the panel, train the learner's model on raw data but with **voltage only**
# (no time channel) and z-scored targets. Does it still collapse? What does that tell
# you about the time channel?
#
# **2.** What collapse ratio does the learner's exact model reach on the validation
# beats, for the onset? (Give the number from `learner`.)

# %%
learner_onset_ratio = None
### BEGIN SOLUTION
learner_onset_ratio = learner.metrics["val"]["collapse_ratio"][0]
### END SOLUTION
ecgteach.check("02.2", learner_onset_ratio, result=learner)

# %% [markdown]
# **3.** How many milliseconds is the *always-predict-the-training-mean* baseline off, on
# average, for the QRS onset of the validation beats? Compute it from
# `splits.train.y`, `splits.val.y` and `splits.fs` yourself.

# %%
mean_baseline_onset_mae_ms = None
### BEGIN SOLUTION
import numpy as np

mean_onset = splits.train.y[:, 0].mean()
mean_baseline_onset_mae_ms = np.abs(splits.val.y[:, 0] - mean_onset).mean() * 1000 / splits.fs
### END SOLUTION
ecgteach.check("02.3", mean_baseline_onset_mae_ms, splits=splits)

# %% [markdown]
# ## Questions
#
# **Q1.** Why does a model that always outputs the training mean reach a *lower* MSE
# than a model that outputs random positions — and why is that a trap when you read a
# loss curve?
#
# ### BEGIN SOLUTION
# The mean minimises the squared error of any constant guess. A network that cannot
# use its input finds this constant quickly, and the loss plateaus at the variance of
# the labels; a falling-then-flat loss can hide that the model ignores its input. Always
# compare with the predict-the-mean baseline and look at the spread of the predictions.
# ### END SOLUTION
#
# **Q2.** Why can a raw time channel in milliseconds hurt an LSTM even though it carries
# useful information?
#
# ### BEGIN SOLUTION
# Gate pre-activations are linear in the inputs; values in the hundreds push the
# sigmoid/tanh gates into saturation, where gradients vanish, so the network cannot
# learn from the voltage. Scaled to 0–1 (or dropped: the position in the row already
# encodes time), the same information no longer saturates the gates.
# ### END SOLUTION
