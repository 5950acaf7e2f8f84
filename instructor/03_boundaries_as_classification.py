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

# %%
import ecgteach
from ecgteach.beats import boundary_probabilities
from ecgteach.ui import (
    ComparisonBoard,
    ProbabilityInspector,
    classifier_panel,
    loss_figure,
    table_html,
)

FAST = ecgteach.fast()  # ECGTEACH_FAST=1: small data and 1 epoch (for the test suite)
QUICK = {"epochs": 1} if FAST else {}

# %% [markdown]
# ## 1. The targets: a distribution over time steps
#
# For each beat the target is a curve over its 200 samples that sums to 1: all the mass
# on the annotated onset (one-hot), or a narrow Gaussian around it, which tells the
# network that being one sample off is nearly right. Here are the targets the network
# will learn from (σ = 2 samples = 8 ms), drawn in the inspector:

# %%
splits = ecgteach.beat_splits(fast=FAST)
onset_target = ecgteach.boundary_targets(splits.val.y[:, 0], splits.val.length, sigma=2.0)
offset_target = ecgteach.boundary_targets(splits.val.y[:, 1], splits.val.length, sigma=2.0)
ProbabilityInspector(splits.val, onset_target, offset_target)

# %% [markdown]
# ## 2. A classifier that reads every hidden state
#
# A bidirectional LSTM returns a hidden state for every sample. A shared `Dense(1)`
# scores each state, and a softmax **over time** turns the 200 scores into one
# distribution — one for the onset and one for the offset (two heads on one network).
# Input: the standardised voltage only; the position in the row is the time. It
# trains here, one line per epoch (reopening the lesson loads it from your cache):

# %%
joint = ecgteach.run_lesson_setting("classifier_joint", splits, cache="user", progress="text",
                                    **QUICK)
loss_figure(joint.history, title=f"{joint.name}: loss per epoch")

# %% [markdown]
# Pick a validation beat: red is the onset probability, green the offset probability,
# dotted lines their maxima (the predictions), grey the cardiologist's boundaries.

# %%
onset_probability, offset_probability = boundary_probabilities(joint, splits.val)
ProbabilityInspector(splits.val, onset_probability, offset_probability)

# %%
row = joint.summary_row("val")
print(f"{joint.name}: onset MAE {row['onset_mae_ms']:.1f} ms, offset MAE "
      f"{row['offset_mae_ms']:.1f} ms on {row['n']} validation beats "
      f"({row['epochs']} epochs, {row['train_s']:.0f} s, {row['params']:,} parameters)")

# %% [markdown]
# ## 3. One network or two?
#
# The learner found that one network per boundary worked better. Measured here, with
# the same architecture and training, one network with two heads against two networks.
# The two networks and the last-state model of section 4 ship already trained (this
# same call, `scripts/build_lesson_models.py`; their training times were recorded
# then): their errors are computed now. Retrain any of them in section 6 (**start
# from** menu, then Train).

# %%
separate = ecgteach.run_lesson_setting("classifier_separate", splits, cache="shipped",
                                       progress=None, **QUICK)
columns = ["model", "weights", "epochs", "train_s", "params", "onset_mae_ms",
           "offset_mae_ms", "onset_sd_ms", "offset_sd_ms"]
table_html([joint.summary_row("val"), separate.summary_row("val")], columns)

# %% [markdown]
# ## 4. The last hidden state, or all of them?
#
# The learner's regression used only the last hidden state. Here the same classifier
# predicts the two distributions from the last state alone (`Dense(200)` + softmax):

# %%
last_state = ecgteach.run_lesson_setting("classifier_last_state", splits, cache="shipped",
                                         progress=None, **QUICK)
table_html([joint.summary_row("val"), last_state.summary_row("val")], columns)

# %% [markdown]
# ## 5. Classification against regression
#
# The best regression of lesson 02 (a small LSTM with scaled inputs and targets;
# from your cache if you ran lesson 02, else the shipped copy) next to the classifiers, on the
# **test patients** this time:

# %%
regression = ecgteach.run_lesson_setting("small_lstm_adam", splits, cache="shipped", progress=None,
                                         **({"epochs": 2} if FAST else {}))
runs = [regression, joint, separate, last_state]
table_html([r.summary_row("test") for r in runs],
           ["model", "kind", "onset_mae_ms", "offset_mae_ms", "onset_hit_rate",
            "offset_hit_rate", "train_s"])

# %%
ranked = sorted(runs, key=lambda r: r.metrics["test"]["mae_ms"].mean())
for place, run in enumerate(ranked, start=1):
    mae = run.metrics["test"]["mae_ms"]
    print(f"{place}. {run.name}: mean of onset and offset MAE {mae.mean():.1f} ms")

# %% [markdown]
# ## 6. Your turn
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
# * Whether two networks beat one with two heads, and whether all hidden states beat the
#   last one, is in the tables above — measured, with the same data and training.
# * The ranking in section 5 compares the two formulations on patients never used for
#   training or for choosing a model.
#
# One limit remains: every row still holds exactly one beat, cut around a known QRS.
# Lesson 04 labels every sample of a whole record instead — any number of beats, P and
# T waves included.
#
# ## Exercises
#
# **1.** Train the joint classifier with σ = 0 (one-hot targets) and with σ = 6 in the
# panel. Which gives smaller errors? Why might a little width help?
#
# **2.** On the validation beats, which is more accurate for the QRS onset (lower MAE):
# one network with two heads (`"joint"`) or two networks (`"separate"`)?

# %%
more_accurate = None
### BEGIN SOLUTION
joint_mae = joint.metrics["val"]["mae_ms"][0]
separate_mae = separate.metrics["val"]["mae_ms"][0]
more_accurate = "joint" if joint_mae < separate_mae else "separate"
### END SOLUTION
ecgteach.check("03.2", more_accurate, joint=joint, separate=separate)

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
