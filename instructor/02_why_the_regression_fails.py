# %% [markdown]
# # Lesson 02 — Why the regression LSTM fails
#
# The learner's network read `[time_ms, voltage]` beats, kept only the **last** hidden
# state of a stacked LSTM and regressed `[qrs_onset, qrs_offset]` with MSE. After 4000
# epochs it predicted the same place for every ECG. The forum's explanation: "an LSTM
# cannot regress a position". In this lesson we **measure** what actually went wrong,
# changing one thing at a time, on real beats.
#
# **You will:** watch the learner's exact network train until its loss plateaus, measure
# the collapse (collapse ratio, error against always predicting the mean), find out why
# it took so many epochs and what those epochs did to the network, test each suspect
# with one change at a time, and retrain the model yourself with the learner's knobs.
#
# **After this lesson you can:**
#
# * read a collapse from numbers (collapse ratio, the predict-the-mean baseline), not
#   from a loss curve
# * explain how an LSTM's gates, cell state and `return_sequences` shape what a network
#   can learn, and how a saturated layer stops it learning
# * find the cause of a failure by changing one thing at a time
#
# **Prerequisites:** lesson 01; what a neural network, a loss and gradient descent are.
#
# **Time:** about 35 min in class; section 10 (*optional*, retraining with the panel) is
# homework.

# %%
import numpy as np

import ecgteach
from ecgteach.beats import (
    LEARNER_CHANGES,
    gradient_by_time_step,
    input_saturation,
    last_state_spread,
    output_pace,
    run_rows,
    run_verdict,
)
from ecgteach.ui import (
    ComparisonBoard,
    gradient_figure,
    loss_figure,
    lstm_cell_figure,
    mean_prediction_figure,
    prediction_grid,
    prediction_scatter,
    readout_figure,
    regression_panel,
    show,
    table_html,
)

ecgteach.check_memory()  # on a shared server: says what to close if memory is short

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
# ## 2. The learner's model, trained until it stops improving
#
# `LSTM(64) → LSTM(256) → LSTM(100)`, dropout 0.1, last hidden state only, `Dense(2)`,
# MSE, RMSprop (learning rate 1e-3), on raw `[time_ms, voltage]` rows with raw index
# targets — and trained the way the learner did: on and on, until the validation loss
# stopped improving. Here "stopped improving" has a precise meaning, the **plateau
# criterion**: the best validation loss of the last 5 epochs is less than 1 % below the
# best one before them.
#
# This network is big for a laptop, so ecgteach **ships it already trained**, by this
# very call when ecgteach was packaged: the cell loads it, and every number below is
# computed now from its predictions on real beats (the loss curve and the training time
# were recorded when it was trained). The panel in section 10 retrains any model of this
# lesson here.

# %%
learner = ecgteach.run_lesson_setting("learner_raw", splits, cache="shipped", progress=None)
print(f"{learner.name}: {learner.params:,} parameters; {learner.epochs_run} epochs in "
      f"{learner.train_seconds / 60:.0f} min on 2 CPU cores (weights {learner.source}); "
      f"stopped: {learner.stopped}")
ecgteach.claim(learner.stopped == "plateau", "training ended because the validation loss "
               "plateaued (under 1 % better over the last 5 epochs)")

# %%
show(loss_figure(learner.history, title="the learner's model: loss per epoch (log scale)"))

# %% [markdown]
# A loss curve that falls and then flattens looks like a model that has learned what it
# can. Has it? One dot per validation beat: on the dashed line the prediction is perfect;
# a **horizontal** row of dots means the same answer for every beat.

# %%
show(prediction_scatter(learner))

# %%
print(ecgteach.regression_report(learner))
val = learner.metrics["val"]
ecgteach.claim(val["collapse_ratio"].max() < 0.05, "the learner's exact model gives (nearly) "
               "one answer for every beat: its collapse ratio is below 0.05")

# %%
ecgteach.claim(abs(val["mse"] / val["mse_mean_baseline"] - 1) < 0.1,
               "its MSE is within 10 % of always predicting the training mean")

# %% [markdown]
# That is the learner's failure: a plateau, and one answer for every ECG. The
# **collapse ratio** is the standard deviation of the predictions divided by that of the
# true labels: 1 means the predictions vary as much as the truth, 0 means one constant
# answer. "Always predict the training mean" is the simplest possible model; a model
# that only matches it has learned nothing about the beats.
#
# ## 3. Why it took so many epochs
#
# The model also logged its mean answer on the validation beats after every epoch. A
# fresh network outputs values near 0; the labels sit around 80–110 samples into the row:

# %%
show(mean_prediction_figure(learner))
pace = output_pace(learner)
for i, boundary in enumerate(("onset", "offset")):
    print(f"QRS {boundary}: the mean answer moved {pace.samples_per_epoch[i]:.2f} samples per "
          f"epoch = {pace.samples_per_step[i]:.3f} per optimiser step "
          f"({pace.steps_per_epoch} steps per epoch); the training mean is "
          f"{pace.target_mean[i]:.0f} samples from 0: {pace.epochs_to_mean()[i]:.0f} epochs")

# %%
final_answer = learner.predictions["val"].mean(axis=0)
print("final answer (samples):", final_answer.round(1), " training mean:",
      pace.target_mean.round(1))
ecgteach.claim(np.abs(final_answer - pace.target_mean).max() < 1.0, "the answer it settled on "
               "is the training mean, to within one sample")

# %% [markdown]
# RMSprop divides each gradient by its own running size, so a step moves a weight by
# about the learning rate **whatever the size of the gradient**: the problem is not a
# huge gradient but the long distance the outputs must travel at that pace. The pace
# is per optimiser *step*, so a smaller dataset needs more epochs. The learner had 300
# beats (batches of 32: 10 steps per epoch); at this pace their network would have
# reached the training mean after

# %%
learner_epochs = pace.epochs_to_mean(n_beats=300)
print(f"{learner_epochs[0]:.0f} (onset) and {learner_epochs[1]:.0f} (offset) epochs, of the "
      "~4000 they ran")
ecgteach.claim(learner_epochs.max() < 0.25 * 4000, "at this pace a 300-beat run reaches the "
               "mean within a quarter of 4000 epochs")

# %% [markdown]
# So most of those 4000 epochs were spent *on* the plateau, not on the way to it. Why
# did nothing move there, epoch after epoch? Look inside the network.
#
# ## 4. How an LSTM reads a beat
#
# An LSTM reads the row one sample at a time. At each step four **gates** look at the
# sample and at the previous hidden state: sigmoids (0 to 1) decide what the **cell
# state** forgets (`f`), what it takes in (`i`, of the candidate `g`), and what it shows
# as the new hidden state (`o`); the hidden state is `o · tanh(cell)`, so each of its
# numbers lies between −1 and 1:

# %%
show(lstm_cell_figure())

# %% [markdown]
# A Keras `LSTM` layer returns either its **last** hidden state (`return_sequences=False`,
# the default) or **every** hidden state (`return_sequences=True`). Stacked LSTMs need
# every state from the layers below; the learner's top layer returned only the last one,
# so the `Dense(2)` had to find both boundaries in one 100-number summary of the beat:

# %%
show(readout_figure("last_state"), readout_figure("all_states"))
learner.models["model"].summary()

# %% [markdown]
# A **bidirectional** layer adds a second LSTM that reads the row backwards; each step's
# state is then both directions side by side, so a step also "sees" what comes after
# it. A live monitor could not do that; a delineator of a recorded ECG can, since the
# whole recording is there. Lessons 03 and 04 use it:

# %%
show(readout_figure("bidirectional"))

# %% [markdown]
# The shapes, on a tiny layer you can build yourself:

# %%
import keras

beats_in = keras.Input((200, 2))
for flag in (False, True):
    out = keras.layers.LSTM(8, return_sequences=flag)(beats_in)
    print(f"LSTM(8, return_sequences={flag}): (batch, 200, 2) -> {tuple(out.shape)}")

# %% [markdown]
# ## 5. What the walk did to the network
#
# Everything the `Dense(2)` knows about a beat is that last 100-number state. Read it
# for every validation beat: how much does it vary from beat to beat, and how many of
# its numbers are stuck at ±1, where `tanh` is flat?

# %%
state = last_state_spread(learner.models["model"], learner.scaler.x(splits.val))
print(f"last LSTM state: {state['saturated']:.0%} of its values have |h| > 0.95; their spread "
      f"across beats is {state['spread']:.1e} (on a scale of -1 to 1)")
ecgteach.claim(state["saturated"] > 0.9 and state["spread"] < 1e-3, "after the walk the last "
               "LSTM layer is saturated: every beat gives the same state")

# %% [markdown]
# On its way up to the labels, one small step at a time, the network drove every number
# of its last state to ±1, the flat ends of `tanh`. There the slope of `tanh` is nearly
# 0, so almost no gradient flows back through it: the state is the same for every beat,
# the `Dense(2)` can only output a constant, and the best constant is the training
# mean. More epochs cannot undo that.
#
# ## 6. A shortcut that is not a shortcut
#
# If the walk is the problem, skip it: start the `Dense(2)` output's bias at the
# training mean of the targets (`start_at_mean=True`) instead of 0 — where the run of
# section 2 ended up anyway. Nothing else changes: same network, same raw data, same
# optimiser, same plateau criterion.

# %%
at_mean = ecgteach.run_lesson_setting("learner_raw_at_mean", splits, cache="shipped",
                                      progress=None)
print(ecgteach.regression_report(at_mean))
state_at_mean = last_state_spread(at_mean.models["model"], at_mean.scaler.x(splits.val))
print(f"last LSTM state: {state_at_mean['saturated']:.0%} saturated, spread across beats "
      f"{state_at_mean['spread']:.2f}")

# %%
show(prediction_scatter(at_mean))

# %%
ecgteach.claim(run_verdict(at_mean) == "learns" and state_at_mean["spread"] > 0.1,
               "started at the mean, the same network on the same raw data does not collapse: "
               "its last state varies with the beat and its MSE is well below the mean's")

# %% [markdown]
# So this would not be a fair fast-forward of the learner's run: it changes the
# outcome. The failure is made on the way to the labels. That is why every run below
# starts from zero, as the learner's did, and trains to its own plateau.
#
# ## 7. The suspects, one change at a time
#
# From the learner's exact run, each run below changes **one** thing: the scale of the
# targets (z-scored, and predictions mapped back), the time channel (scaled to 0–1, or
# dropped: the learner's first fix), the scale of the voltage, and what the forum
# suggested — one layer instead of three, Adam instead of RMSprop, more dropout, a
# Conv1D front end. Each trained from zero to its plateau (at most 80 epochs) when
# ecgteach was built, several at a time sharing 2 CPU cores, so the times in the table
# are longer than one run alone (the learner's run above trained alone).

# %%
changes = {name: ecgteach.run_lesson_setting(name, splits, cache="shipped", progress=None)
           for name in LEARNER_CHANGES}
runs = [learner, *changes.values()]
rows = run_rows(runs, baseline=learner)
table_html(rows, digits=2)

# %% [markdown]
# Every run stopped at its plateau. "MSE / mean" is the model's MSE divided by that of
# always predicting the training mean: 1 is no better than the mean; pairs are
# onset / offset. One confound remains in the table: the Conv1D run
# (Conv1D(64) and pooling by 2, then one LSTM(100)) has a single LSTM layer behind its
# front end, so its fair reference is the one-layer run, not the learner's three layers.
# The verdicts, read from the table:

# %%
for verdict in ("collapsed", "in between", "learns"):
    names = [row["run"] for row in rows if row["verdict"] == verdict]
    print(f"{verdict:>10s}: {'; '.join(names) or '-'}")
ecgteach.claim(all(run.stopped == "plateau" for run in runs), "every run of the table ended "
               "at its plateau, none at the epoch limit")

# %%
inputs = ("learner_time_scaled", "learner_time_dropped", "learner_standardise_voltage")
ecgteach.claim(all(run_verdict(changes[name]) == "collapsed" for name in inputs)
               and run_verdict(changes["learner_zscore_targets"]) == "learns",
               "no change to the inputs alone (time channel scaled or dropped, voltage "
               "standardised) avoids the collapse; z-scoring the targets alone does")

# %%
forum = ("learner_one_layer", "learner_adam", "learner_more_dropout")
ecgteach.claim(all(run_verdict(changes[name]) == "collapsed" for name in forum),
               "fewer layers, Adam and more dropout each still end in the collapse")

# %%
ecgteach.claim(run_verdict(changes["conv_lstm_raw"]) == "learns"
               and run_verdict(changes["learner_one_layer"]) == "collapsed",
               "a Conv1D front end, in front of the same single LSTM(100) that collapses on "
               "its own, avoids the collapse on the raw data")

# %% [markdown]
# So two different changes avoid the collapse: putting the targets on a small scale, and
# a convolutional front end. Why the front end helps is a good question to explore with
# the panel of section 10 (exercise 5). The suspects the learner's forum was sure of —
# the inputs' scale, the optimiser, the size of the network, dropout — do not decide on
# their own.

# %% [markdown]
# ## 8. Two scales at once
#
# Each scale alone was tested above. Together? Four runs, the targets raw or z-scored
# and the voltage raw or standardised, everything else as in the learner's run (the
# time channel stays in ms):

# %%
both = ecgteach.run_lesson_setting("learner_zscore_standardise_voltage", splits,
                                   cache="shipped", progress=None)
grid = {("targets raw", "voltage in mV"): learner,
        ("targets raw", "voltage standardised"): changes["learner_standardise_voltage"],
        ("targets z-scored", "voltage in mV"): changes["learner_zscore_targets"],
        ("targets z-scored", "voltage standardised"): both}
show(prediction_grid(grid))
table_html(run_rows(grid.values(), baseline=learner), digits=2)

# %%
ecgteach.claim(all(run_verdict(run) == "collapsed" for (targets, _), run in grid.items()
                   if targets == "targets raw")
               and all(run_verdict(run) == "learns" for (targets, _), run in grid.items()
                       if targets == "targets z-scored"),
               "the targets decide: with raw targets both voltage scales collapse, with "
               "z-scored targets both learn")

# %% [markdown]
# And both inputs scaled at once — the time channel to 0–1 *and* the voltage
# standardised — with the targets left raw?

# %%
inputs_scaled = ecgteach.run_lesson_setting("learner_inputs_scaled", splits, cache="shipped",
                                            progress=None)
print(ecgteach.regression_report(inputs_scaled))

# %%
ecgteach.claim(run_verdict(inputs_scaled) == "collapsed", "with raw targets, scaling both "
               "inputs still ends in the collapse")

# %% [markdown]
# What about the time channel in milliseconds? An LSTM's gates are sigmoids of
# `x · W + …`: with `x` up to 800, even small weights push them into the flat ends of
# the sigmoid. Measured on the first layer, per input channel, for the collapsed run
# and for the run with z-scored targets, which learned:

# %%
saturation = {run.name: input_saturation(run.models["model"], run.scaler.x(splits.val))
              for run in (learner, changes["learner_zscore_targets"])}
for name, share in saturation.items():
    print(f"{name}: time channel saturates {share['channel 0']:.0%} of the first layer's "
          f"gate inputs (|z| > 4), the voltage {share['channel 1']:.0%}")

# %%
ecgteach.claim(all(share["channel 0"] > 0.5 for share in saturation.values()),
               "the raw time channel saturates most gate inputs in the model that collapsed and "
               "in the one that learned: real, but not what decides")

# %% [markdown]
# ## 9. Inputs and targets on a sensible scale
#
# Scale the time channel to 0–1, standardise the voltage and z-score the targets — the
# learner's *same* network:

# %%
scaled = ecgteach.run_lesson_setting("learner_scaled", splits, cache="shipped", progress=None)
print(ecgteach.regression_report(scaled))
show(prediction_scatter(scaled))

# %%
learns = scaled.metrics["val"]
ecgteach.claim(learns["collapse_ratio"].min() > ecgteach.COLLAPSED_BELOW
               and learns["mse"] < learns["mse_mean_baseline"],
               "with inputs and targets on a sensible scale, the learner's same network varies "
               "its answer with the beat and beats always predicting the mean")

# %% [markdown]
# Now it reads the beat — but how much of it? Measure how much each sample of the row
# moves the onset answer (`|∂ onset / ∂ x_t|`, averaged over 32 validation beats). The
# collapsed model first:

# %%
gradients = {learner.name: gradient_by_time_step(learner.models["model"],
                                                 learner.scaler.x(splits.val)[:32])}
peak = max(gradients[learner.name])
print(f"{learner.name}: the largest |∂ onset / ∂ x_t| over the whole row is {peak:.1e}")
ecgteach.claim(peak < 1e-4, "through the saturated last layer no sample of the row moves the "
               "collapsed model's answer by more than 1e-4 per unit")

# %% [markdown]
# And the scaled model: the answer now depends on the samples — but through 200 steps
# of a last-state LSTM, the last samples count far more than the first (the
# **vanishing gradient**; the cell state's sum softens it, it does not remove it):

# %%
gradients[scaled.name] = gradient_by_time_step(scaled.models["model"],
                                               scaled.scaler.x(splits.val)[:32])
late, early = gradients[scaled.name][-20:].mean(), gradients[scaled.name][:20].mean()
print(f"{scaled.name}: the last 20 samples move the onset {late / early:.0e} times more than "
      "the first 20")
show(gradient_figure(gradients, splits.fs))
ecgteach.claim(late > 100 * early, "through a last-state LSTM the last samples of the row "
               "weigh over a hundred times more than the first")

# %% [markdown]
# And a much smaller network, one `LSTM(32)` with Adam, on the scaled data. This one
# is cheap, so it trains **here** (up to 30 epochs, keeping the best validation epoch;
# the report gives its training time):

# %%
small = ecgteach.run_lesson_setting("small_lstm_adam", splits, cache="user", progress="text",
                                    **({"epochs": 2} if FAST else {}))
print(ecgteach.regression_report(small))
show(loss_figure(small.history, title="LSTM(32) + Adam: loss per epoch"))

# %% [markdown]
# ## 10. Your turn: retrain with the learner's knobs *(optional)*
#
# Try other changes — one at a time — and watch the loss. The **start from** menu sets
# every knob of one of the models above (press Train to retrain it here; the progress
# line estimates the time left: the learner's network takes about 10–15 s per epoch on a
# 2-core laptop). It starts from the run of section 6 (output started at the mean, a few
# minutes to its plateau); **plateau stop** ends a run by this lesson's criterion, and
# **Stop** ends it at the end of the current batch. Every finished run lands on the
# board below, so you can compare what you tried.

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
# * the learner's exact network, trained until its validation loss plateaued, answers
#   the training mean for every beat: a flat loss curve, a collapse ratio near 0, the
#   MSE of the mean (section 2);
# * it took that long because its outputs walk from 0 to the labels at a fixed pace
#   per optimiser step (section 3), and the walk left its last LSTM layer saturated,
#   the same state for every beat (section 5); started at the mean, the same network
#   on the same data learns (section 6);
# * which single change avoids the collapse, and which does not, is in the table of
#   section 7, each run trained from zero to its own plateau;
# * with inputs and targets on a sensible scale the same last-state LSTM *can*
#   regress a position (section 9) — but it reads mostly the end of the row.
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

# %%
ecgteach.check("02.1", collapse_ratio)

# %% [markdown]
# **2.** What collapse ratio does the run with z-scored targets (section 7) reach on the
# validation beats, for the onset? Give it from `changes["learner_zscore_targets"]`, or as
# its report would print it (two significant digits).

# %%
zscored_onset_ratio = None
### BEGIN SOLUTION
zscored_onset_ratio = changes["learner_zscore_targets"].metrics["val"]["collapse_ratio"][0]
### END SOLUTION

# %%
ecgteach.check("02.2", zscored_onset_ratio, result=changes["learner_zscore_targets"])

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

# %%
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

# %%
ecgteach.check("02.4", stacked_lstm)

# %% [markdown]
# **5.** With the panel, start from "Conv1D + LSTM, raw data" and change **one** knob
# (the number of LSTM units, the learning rate, the batch size, or the model back to a
# plain stacked LSTM). Press Train (set **plateau stop** to 5 to end it as this lesson's
# runs ended): does the run still avoid the collapse? Compare it on the board with the
# run you started from, and say what your one change did.

# %% [markdown]
# ## Questions
#
# **Q1.** Why does a model that always outputs the training mean reach a *lower* MSE
# than a model that outputs random positions — and why is that a trap when you read a
# loss curve?
#
# ### BEGIN SOLUTION
# The mean minimises the squared error of any constant guess, so a network that cannot
# use its input can at best learn that constant: its loss then flattens at the MSE of
# always predicting the mean — exactly where the learner's run of section 2 settled
# (the "for the mean" MSE that `regression_report` prints). A loss curve that flattens
# can therefore hide a model that ignores its input. Compare every run with the
# predict-the-mean baseline, and look at the spread of the predictions (the collapse
# ratio), not only at the loss.
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
