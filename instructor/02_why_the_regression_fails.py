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
#
# **After this lesson you can:**
#
# * read a collapse from numbers (collapse ratio, the predict-the-mean baseline), not
#   from a loss curve
# * explain how an LSTM's gates, cell state and `return_sequences` shape what a network
#   can learn
# * find the cause of a failure by changing one thing at a time
#
# **Prerequisites:** lesson 01; what a neural network, a loss and gradient descent are.
#
# **Time:** about 30 min in class; section 7 (*optional*, retraining with the panel) is
# homework.

# %%
from IPython.display import display

import ecgteach
from ecgteach.beats import gradient_by_time_step, input_saturation
from ecgteach.ui import (
    ComparisonBoard,
    gradient_figure,
    loss_figure,
    lstm_cell_figure,
    prediction_scatter,
    readout_figure,
    regression_panel,
    table_html,
)

FAST = ecgteach.fast()  # ECGTEACH_FAST=1 (the test suite): the small LSTM trains 2 epochs

# %% [markdown]
# ## 1. The learner's data
#
# Beats in the learner's format (lesson 01), for the training and validation patients
# and the fixed test patients (records 161–200). No patient is in two parts.

# %%
splits = ecgteach.beat_splits()
splits

# %% [markdown]
# ## 2. The learner's model, exactly
#
# `LSTM(64) → LSTM(256) → LSTM(100)`, dropout 0.1, last hidden state only, `Dense(2)`,
# MSE, RMSprop, on raw `[time_ms, voltage]` rows with raw index targets.
#
# This network is big for a laptop (the cell prints its size and how long it took to
# train), and the lesson needs four of them. So ecgteach **ships these four already
# trained**, by this very call when ecgteach was packaged: the cell loads them,
# and every number below is computed now from their predictions on real beats (the loss
# curves and training times were recorded when they were trained). To watch one train
# here, pick it in the panel's **start from** menu in section 7 and press Train.

# %%
learner = ecgteach.run_lesson_setting("learner_raw", splits, cache="shipped", progress=None)
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
ecgteach.claim(learner.metrics["val"]["collapse_ratio"].max() < ecgteach.COLLAPSED_BELOW,
               "the learner's exact model gives (nearly) one answer for every beat")

# %% [markdown]
# The **collapse ratio** is the standard deviation of the predictions divided by that of
# the true labels: 1 means the predictions vary as much as the truth, 0 means one
# constant answer. Compare the model's error with the simplest possible model, "always
# predict the training mean".

# %% [markdown]
# ## 3. How an LSTM reads a beat
#
# Before we test suspects, the mechanism. An LSTM reads the row one sample at a time.
# At each step four **gates** look at the sample and at the previous hidden state:
# sigmoids (0 to 1) decide what the **cell state** forgets (`f`), what it takes in
# (`i`, of the candidate `g`), and what it shows as the new hidden state (`o`):

# %%
lstm_cell_figure()

# %% [markdown]
# A Keras `LSTM` layer returns either its **last** hidden state (`return_sequences=False`,
# the default) or **every** hidden state (`return_sequences=True`). Stacked LSTMs need
# every state from the layers below; the learner's top layer returned only the last one,
# so the `Dense(2)` had to find both boundaries in one 100-number summary of the beat:

# %%
display(readout_figure("last_state"), readout_figure("all_states"))
learner.models["model"].summary()

# %% [markdown]
# The shapes, on a tiny layer you can build yourself:

# %%
import keras

beats_in = keras.Input((200, 2))
for flag in (False, True):
    out = keras.layers.LSTM(8, return_sequences=flag)(beats_in)
    print(f"LSTM(8, return_sequences={flag}): (batch, 200, 2) -> {tuple(out.shape)}")

# %% [markdown]
# ## 4. Suspect 1: the scale of the targets
#
# The targets are indices from about 50 to 150, and a freshly initialised network
# outputs values near 0. RMSprop divides each gradient by its own running size, so a
# step moves a weight by about the learning rate (here 1e-3) **whatever the size of the
# gradient**: the problem is not a huge gradient but the long distance the outputs must
# travel at that pace. Z-score the targets (and map predictions back), nothing else:

# %%
zscored_targets = ecgteach.run_lesson_setting("learner_zscore_targets", splits, cache="shipped",
                                              progress=None)
print(ecgteach.regression_report(zscored_targets))

# %% [markdown]
# ## 5. Suspect 2: the scale of the inputs
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
# A saturated gate passes almost no gradient. Measure it directly: how much does each
# sample of the row move the model's onset answer (`|∂ onset / ∂ x_t|`, averaged over
# 32 validation beats)?

# %%
gradients = {learner.name: gradient_by_time_step(learner.models["model"],
                                                 first_layer_input[:32])}
peak = max(gradients[learner.name])
print(f"{learner.name}: the largest |∂ onset / ∂ x_t| over the whole row is {peak:.1e}")
ecgteach.claim(peak < 1e-4, "on the raw inputs no sample of the row moves the answer by "
               "more than 1e-4 per unit: the gates pass almost no gradient")

# %% [markdown]
# Standardising the **voltage alone** leaves the time channel as it is:

# %%
standardised_voltage = ecgteach.run_lesson_setting("learner_standardise_voltage", splits,
                                                   cache="shipped", progress=None)
print(ecgteach.regression_report(standardised_voltage))

# %% [markdown]
# ## 6. Both fixes together
#
# Scale the time channel to 0–1, standardise the voltage and z-score the targets — the
# learner's *same* network:

# %%
scaled = ecgteach.run_lesson_setting("learner_scaled", splits, cache="shipped", progress=None)
print(ecgteach.regression_report(scaled))
prediction_scatter(scaled)

# %% [markdown]
# The same gradient measurement on the scaled model: the answer now depends on the
# samples — but through 200 steps of a last-state LSTM, the last samples count far
# more than the first (the **vanishing gradient**; the cell state's sum softens it, it
# does not remove it):

# %%
gradients[scaled.name] = gradient_by_time_step(scaled.models["model"],
                                               scaled.scaler.x(splits.val)[:32])
late, early = gradients[scaled.name][-20:].mean(), gradients[scaled.name][:20].mean()
print(f"{scaled.name}: the last 20 samples move the onset {late / early:.0e} times more than "
      "the first 20")
display(gradient_figure(gradients, splits.fs))
ecgteach.claim(late > 100 * early, "through a last-state LSTM the last samples of the row "
               "weigh over a hundred times more than the first")

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
learns = scaled.metrics["val"]
ecgteach.claim(learns["collapse_ratio"].min() > ecgteach.COLLAPSED_BELOW
               and learns["mse"] < learns["mse_mean_baseline"],
               "with inputs and targets on a sensible scale, the learner's same network varies "
               "its answer with the beat and beats always predicting the mean")

# %% [markdown]
# ## 7. Your turn: retrain with the learner's knobs *(optional)*
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
# * which single change fixes it, and which does not, is in the table of section 6;
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
# **1.** Write `collapse_ratio(predictions, labels)`: both are `(beats, 2)` arrays of
# `[onset, offset]`; return one number per column, the standard deviation of the
# predictions divided by that of the labels. It is the number this lesson reads the
# collapse from (`learner.metrics["val"]["collapse_ratio"]`): try yours on
# `learner.predictions["val"]` and `learner.labels["val"]` too.

# %%
import numpy as np


def collapse_ratio(predictions, labels):
    """std(predictions) / std(labels), one ratio per column (onset, offset)."""
    ### BEGIN SOLUTION
    return np.std(predictions, axis=0) / np.std(labels, axis=0)
    ### END SOLUTION


ecgteach.check("02.1", collapse_ratio)

# %% [markdown]
# **2.** What collapse ratio does the learner's exact model reach on the validation
# beats, for the onset? Give it from `learner`, or as the report in section 2 prints
# it (two significant digits).

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
mean_onset = splits.train.y[:, 0].mean()
mean_baseline_onset_mae_ms = np.abs(splits.val.y[:, 0] - mean_onset).mean() * 1000 / splits.fs
### END SOLUTION
ecgteach.check("02.3", mean_baseline_onset_mae_ms, splits=splits)

# %% [markdown]
# **4.** Write the learner's network yourself: `stacked_lstm(length, channels, units)`
# returns a compiled Keras model (MSE loss) that reads `(length, channels)` rows
# through one `LSTM` per entry of `units` (e.g. `(64, 256, 100)`) and regresses
# `[onset, offset]` with `Dense(2)` from the **last** hidden state only. Getting
# `return_sequences` right is the whole difference between "reads one state" and
# "reads every state", which lesson 03 turns on.

# %%
import keras


def stacked_lstm(length, channels, units):
    """A compiled LSTM stack reading only its last hidden state into Dense(2)."""
    ### BEGIN SOLUTION
    layers = [keras.layers.LSTM(size, return_sequences=i < len(units) - 1)
              for i, size in enumerate(units)]
    model = keras.Sequential([keras.Input((length, channels)), *layers, keras.layers.Dense(2)])
    model.compile(optimizer="rmsprop", loss="mse")
    return model
    ### END SOLUTION


ecgteach.check("02.4", stacked_lstm)

# %% [markdown]
# **5.** With the panel, train the learner's model on raw data but with **voltage only**
# (no time channel) and z-scored targets. Does it still collapse? What does that tell
# you about the time channel?

# %% [markdown]
# ## Questions
#
# **Q1.** Why does a model that always outputs the training mean reach a *lower* MSE
# than a model that outputs random positions — and why is that a trap when you read a
# loss curve?
#
# ### BEGIN SOLUTION
# The mean minimises the squared error of any constant guess, so a network that cannot
# use its input can at best learn that constant: its loss then flattens at the variance
# of the labels (the "for the mean" MSE that `regression_report` prints). A loss curve
# that flattens can therefore hide a model that ignores its input. Compare every run
# with the predict-the-mean baseline, and look at the spread of the predictions (the
# collapse ratio), not only at the loss.
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
