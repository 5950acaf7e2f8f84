# %% [markdown]
# # Lesson 03 — Boundaries as classification
#
# Instead of asking the network for one number ("the onset is at sample 63"), ask it,
# for **every** sample of the beat, how likely that sample is the onset — and the same
# for the offset. The answer is a probability curve over time; its peak is the
# prediction, and its width shows how sure the network is.
#
# **You will:** build these targets, train a classifier that reads **all** hidden states
# of a BiLSTM, read its probability curves, and measure two design questions the learner
# ran into: one network with two heads or two networks? the last hidden state or all of
# them? — and how all of this compares with the regression of lesson 02.
#
# **After this lesson you can:**
#
# * turn a position into a target distribution over time steps
# * explain why reading every hidden state (and both directions) helps
# * compare design choices fairly (same body, one change)
#
# **Prerequisites:** lessons 01–02 (the LSTM primer in lesson 02, section 4).
#
# **Time:** about 25 min in class; section 6 (*optional*, the training panel) is
# homework.

# %%
import numpy as np
from IPython.display import display

import ecgteach
from ecgteach.beats import boundary_probabilities
from ecgteach.ui import (
    ComparisonBoard,
    ProbabilityInspector,
    classifier_panel,
    table_html,
)

ecgteach.check_memory()  # on a shared server: says what to close if memory is short

# The models of sections 2-5 ship trained on all the training patients, so the same
# numbers (and the text's claims) hold in every run; only the panel of section 6 trains.

# %% [markdown]
# ## 1. The targets: a distribution over time steps
#
# For each beat the target is a curve over its 200 samples that sums to 1: all the mass
# on the annotated onset (one-hot), or a narrow Gaussian around it, which tells the
# network that being one sample off is nearly right. Here are the targets the network
# will learn from (σ = 2 samples = 8 ms), drawn in the inspector:

# %%
splits = ecgteach.beat_splits()  # all beats of the training, validation and test patients
onset_target = ecgteach.boundary_targets(splits.val.y[:, 0], splits.val.length, sigma=2.0)
offset_target = ecgteach.boundary_targets(splits.val.y[:, 1], splits.val.length, sigma=2.0)
ProbabilityInspector(splits.val, onset_target, offset_target)

# %% [markdown]
# ## 2. One body, four readouts
#
# Which change matters: the hidden states the output reads, or the question it is asked?
# To find out, keep everything else fixed — one `LSTM(32)`, the standardised voltage as
# input, Adam, the same epochs and early stopping — and change only the readout
# (lesson 02, section 4 drew the two kinds of readout):
#
# | | regression (MSE, z-scored targets) | classification (softmax over time) |
# |---|---|---|
# | **last state** | `Dense(2)(h_T)`: the learner's | `Dense(200)` + softmax on `h_T` |
# | **all states** | `Dense(2)(Flatten(h_1…h_T))`: the forum's | `Dense(1)` per `h_t` + softmax |
#
# The forum answer's "use all hidden states", in Keras:
#
# ```python
# states = keras.layers.LSTM(32, return_sequences=True)(beats)   # (batch, 200, 32)
# onset_offset = keras.layers.Dense(2)(keras.layers.Flatten()(states))
# ```
#
# All four come from one builder, `ecgteach.nn.readout_model`. They ship already trained
# (by this same call, when ecgteach was packaged; the table gives each one's training
# time), so the numbers below are the ones the text discusses; add `cache="train"` to
# retrain one here.

# %%
readouts = {}
for name in ("readout_last_state_regression", "readout_all_states_regression",
             "readout_last_state_classification", "readout_all_states_classification"):
    readouts[name] = ecgteach.run_lesson_setting(name, splits, cache="shipped", progress=None)
columns = ["model", "epochs", "train_s", "params", "onset_mae_ms", "offset_mae_ms",
           "onset_collapse_ratio", "onset_mae_mean_baseline_ms"]
table_html([r.summary_row("val") for r in readouts.values()], columns)

# %%
def mean_mae(result, part="val"):
    """The mean of a result's onset and offset MAE (ms)."""
    return float(result.metrics[part]["mae_ms"].mean())


by_readout = {name: mean_mae(r) for name, r in readouts.items()}
for task in ("regression", "classification"):
    last, every = (by_readout[f"readout_{state}_{task}"] for state in ("last_state", "all_states"))
    print(f"{task:14s}: last state {last:5.1f} ms -> all states {every:5.1f} ms")
ecgteach.claim(all(by_readout[f"readout_all_states_{task}"] <
                   by_readout[f"readout_last_state_{task}"] for task in ("regression",
                                                                         "classification")),
               "for both questions, reading every hidden state lowers the error")

# %% [markdown]
# ## 3. Looking both ways: a bidirectional LSTM
#
# A forward LSTM's state at sample `t` has seen only the samples before it. Whether a
# sample is the onset depends on what comes **after** it too (the QRS rising). Offline —
# the whole beat is recorded before we delineate it — nothing stops us from also reading
# it backwards (lesson 02, section 4, last diagram). Only this one change:

# %%
bidirectional = ecgteach.run_lesson_setting(
    "readout_all_states_classification_bidirectional", splits, cache="shipped", progress=None)
forward = readouts["readout_all_states_classification"]
display(table_html([forward.summary_row("val"), bidirectional.summary_row("val")], columns))
bidirectional.models["onset+offset"].summary()

# %%
print(f"forward: {mean_mae(forward):.1f} ms, bidirectional: {mean_mae(bidirectional):.1f} ms, "
      f"for {bidirectional.params - forward.params:+,} parameters")
ecgteach.claim(mean_mae(bidirectional) < mean_mae(forward),
               "reading the beat in both directions lowers the error")

# %% [markdown]
# Pick a validation beat: red is the onset probability, green the offset probability,
# dotted lines their maxima (the predictions), grey the cardiologist's boundaries.

# %%
onset_probability, offset_probability = boundary_probabilities(bidirectional, splits.val)
ProbabilityInspector(splits.val, onset_probability, offset_probability)

# %% [markdown]
# ## 4. One network or two?
#
# The learner found that one network per boundary worked better. Here: the
# bidirectional classifier with two heads on one network, against two networks of the
# same kind, one per boundary — each trained with three seeds, because a difference
# smaller than the spread between seeds is luck, not a finding (all six ship trained).

# %%
seeds = (0, 1, 2)
heads = {"one network, two heads": "classifier_joint", "two networks": "classifier_separate"}
by_seed = {label: [ecgteach.run_lesson_setting(name, splits, seed=seed, progress=None,
                                               cache="shipped")
                   for seed in seeds]
           for label, name in heads.items()}
rows = []
for label, results in by_seed.items():
    errors = np.array([mean_mae(r) for r in results])
    rows.append({"model": label, "seeds": len(errors), "mean MAE ms": errors.mean(),
                 "SD over seeds ms": errors.std(ddof=1), "params": results[0].params})
table_html(rows)

# %%
joint, separate = by_seed["one network, two heads"][0], by_seed["two networks"][0]  # seed 0
joint_errors, separate_errors = (np.array([mean_mae(r) for r in by_seed[k]]) for k in heads)
gap = separate_errors.mean() - joint_errors.mean()
spread = max(joint_errors.std(ddof=1), separate_errors.std(ddof=1))
verdict = ("within the spread between seeds: no difference these runs can show"
           if abs(gap) <= spread else
           f"{'two networks' if gap < 0 else 'one network'} is better by more than the seeds vary")
print(f"two networks − one network: {gap:+.2f} ms; the larger SD over seeds: {spread:.2f} ms "
      f"→ {verdict}")

# %% [markdown]
# ## 5. On the test patients
#
# The four readouts and the bidirectional classifier on the **test patients**, never used
# for training or choosing. Beside each error stands the error of always predicting
# the training mean, the bar any model must clear:

# %%
runs = [*readouts.values(), bidirectional]
table_html([r.summary_row("test") for r in runs],
           ["model", "kind", "onset_mae_ms", "offset_mae_ms", "onset_mae_mean_baseline_ms",
            "offset_mae_mean_baseline_ms"])

# %%
ranked = sorted(runs, key=lambda r: mean_mae(r, "test"))
for place, run in enumerate(ranked, start=1):
    print(f"{place}. {run.name}: mean of onset and offset MAE {mean_mae(run, 'test'):.1f} ms")
baseline = float(ranked[0].metrics["test"]["mae_mean_baseline_ms"].mean())
ecgteach.claim(mean_mae(ranked[0], "test") < baseline / 2,
               "the best model's test error is less than half of always predicting the mean")

# %% [markdown]
# ## 6. Your turn *(optional)*
#
# Change what the output reads (all states, the last state, flattened states), one
# network or two, the size of the LSTM, bidirectional or not, and the target width σ
# (0 = one-hot); **start from** sets the knobs of one of the models above. Every run
# lands on the board.

# %%
board = ComparisonBoard(metric="QRS onset MAE (ms)")
classifier_panel(splits, board)

# %%
board

# %% [markdown]
# ## Conclusion
#
# * A classifier over time steps outputs a probability curve for each boundary: you can
#   see where it is sure and where it hesitates.
# * With one body and only the readout changed (section 2), the table shows what reading
#   every hidden state and asking *where* each buy; section 3 adds the backward
#   direction, again as the only change.
# * Two networks against one (section 4) is judged against the spread between seeds:
#   the printed verdict says whether these runs can tell them apart.
# * The ranking in section 5 is on patients never used for training or for choosing.
#
# One limit remains: every row still holds exactly one beat, cut around a known QRS.
# Lesson 04 labels every sample of a whole record instead — any number of beats, P and
# T waves included.
#
# ## Exercises
#
# **1.** Write the output of the classifier of section 2: `softmax_over_time(scores)`
# takes a Keras tensor of shape `(batch, time, 1)`, one score per time step (what the
# shared `Dense(1)` gives), and returns `(batch, time)` probabilities that sum to 1 over
# **time**. Use Keras layers or `keras.ops`; the check builds a small `keras.Model`
# around your function and runs it.

# %%
import keras


def softmax_over_time(scores):
    """(batch, time, 1) scores -> (batch, time) probabilities summing to 1 over time."""
    ### BEGIN SOLUTION
    flat = keras.layers.Reshape((scores.shape[1],))(scores)
    return keras.layers.Softmax(axis=-1)(flat)
    ### END SOLUTION

# %%
ecgteach.check("03.1", softmax_over_time)

# %% [markdown]
# **2.** Write `positions(probabilities)`: for an `(n, T)` array, one distribution over
# time per row (its weights need not sum exactly to 1), return two arrays of `n`
# positions in samples: the most probable step and the expected position
# `sum(p × step) / sum(p)`. These are the two ways to read a boundary off the curves
# above (`ecgteach.positions_from_distribution`); where the model hesitates between
# two places they disagree.

# %%
def positions(probabilities):
    """(argmax positions, expected positions), one per row, in samples."""
    ### BEGIN SOLUTION
    p = np.asarray(probabilities, dtype=float)
    steps = np.arange(p.shape[1])
    return p.argmax(axis=1), (p * steps).sum(axis=1) / p.sum(axis=1)
    ### END SOLUTION

# %%
ecgteach.check("03.2", positions)

# %% [markdown]
# **3.** Write the targets of section 1: `boundary_target(position, length, sigma)`
# returns `length` probabilities, one per time step, that sum to 1: all on the step
# nearest to `position` when `sigma` is 0, else a Gaussian `exp(−(step − position)² /
# (2σ²))` divided by its sum. The classifiers above learned from exactly these rows
# (`ecgteach.boundary_targets`).

# %%
def boundary_target(position, length, sigma):
    """One target row: one-hot (sigma 0) or a Gaussian of width sigma, summing to 1."""
    ### BEGIN SOLUTION
    steps = np.arange(length)
    if sigma == 0:
        return (steps == np.rint(position)).astype(float)
    curve = np.exp(-0.5 * ((steps - position) / sigma) ** 2)
    return curve / curve.sum()
    ### END SOLUTION

# %%
ecgteach.check("03.3", boundary_target)

# %% [markdown]
# **4.** Train the joint classifier with σ = 0 (one-hot targets) and with σ = 6 in the
# panel. Which gives smaller errors? Why might a little width help?

# %% [markdown]
# ## Questions
#
# **Q1.** Why does a softmax over the *time* axis (not over classes) suit a boundary
# that occurs exactly once per beat?
#
# ### BEGIN SOLUTION
# The softmax over time makes the 200 outputs a single distribution that sums to one:
# the network must put its belief somewhere in the row, and the probabilities compete.
# Exactly one onset per beat is built into the output, and cross-entropy rewards mass
# near the true sample.
# ### END SOLUTION
#
# **Q2.** The last-state model must squeeze where the onset is into one vector and
# then unfold it again into 200 positions. What does the all-states model do instead?
#
# ### BEGIN SOLUTION
# It scores each time step from that step's own hidden state (which, being
# bidirectional, has seen the whole beat): position is kept by construction, and the
# same small `Dense` is shared by every step, so it has far fewer parameters to learn.
# ### END SOLUTION
