# %% [markdown]
# # Lesson 01 — Meet the ECG
#
# In this course you will teach a neural network to find where the **QRS complex**
# of an electrocardiogram (ECG) starts and ends. Before any network, meet the data:
# real ECGs whose waves were marked by cardiologists.
#
# **You will:** load the Lobachevsky University ECG Database (LUDB) with `ecgteach`,
# look at records with the experts' labels, measure QRS durations across 200 patients,
# and build the exact dataset a learner once fed to an LSTM — the one lesson 02 trains on.
#
# Everything runs offline: the data ships with `ecgteach`.
#
# **After this lesson you can:**
#
# * name the P, QRS and T waves and their boundaries on a real ECG
# * load LUDB records and their per-lead labels
# * explain why training and scoring stay inside the labelled span
# * build the learner's `[time, voltage]` beats and read their shape
#
# **Prerequisites:** Python and NumPy (arrays, indexing); no machine learning yet.
#
# **Time:** about 20 min in class; sections 5 and 6 (*optional*) can be read at home.

# %% [markdown]
# ## 1. What is on an ECG?
#
# Each heartbeat draws three waves on the ECG:
#
# * **P wave** — the atria depolarise (small bump);
# * **QRS complex** — the ventricles depolarise (the tall, sharp spike);
# * **T wave** — the ventricles repolarise (broad bump).
#
# Their *onsets* and *offsets* are what clinicians measure: the QRS duration (normally
# under 120 ms), the PR and QT intervals. Finding those boundaries is called **delineation**.

# %%
import numpy as np

import ecgteach
from ecgteach.ui import RecordBrowser, qrs_duration_figure, record_figure, seed_beats_figure, show

ecgteach.check_memory()  # on a shared server: says what to close if memory is short

# %% [markdown]
# ## 2. Load a record
#
# LUDB holds 200 patients, 10 s each, 12 leads at 500 Hz. Every lead was annotated
# separately. `load_ludb_record` returns the signal in millivolts and the waves per lead.

# %%
record = ecgteach.load_ludb_record(1)
record

# %% [markdown]
# Each wave is one row `[onset, peak, offset]` of sample indices. Divide by the sampling
# rate to get seconds.

# %%
qrs = record.waves["ii"]["QRS"]
print("QRS waves on lead ii (samples):\n", qrs)
print("QRS durations (ms):", (qrs[:, 2] - qrs[:, 0]) * 1000 / record.fs)
print("patient:", record.info)

# %% [markdown]
# ## 3. See the waves
#
# The cardiologists' P (blue), QRS (red) and T (green) waves are shaded. Zoom and pan
# with the mouse. The **grey** bands are the first and last beats: they are real beats,
# but nobody labelled them.

# %%
show(record_figure(record, "ii"))

# %% [markdown]
# That unlabelled border is in every record. Measured over all 200 records (lead ii),
# this is where the labels start and stop:

# %%
records = ecgteach.load_ludb()  # all 200 patients, 12 leads; fast after the first call
first_label_s, last_label_s = np.array([r.span("ii") for r in records]).T / ecgteach.LUDB_FS
print(f"first label at {first_label_s.min():.2f}–{first_label_s.max():.2f} s "
      f"(median {np.median(first_label_s):.2f} s)")
print(f"last label at {last_label_s.min():.2f}–{last_label_s.max():.2f} s "
      f"(median {np.median(last_label_s):.2f} s)")

# %% [markdown]
# **So:** a model must never learn that the start of a record is "background". Training
# and scoring stay inside the labelled span.

# %% [markdown]
# ## 4. Browse all 200 patients
#
# Pick a record, a lead and a time window. Some patients are in sinus rhythm — their
# P waves are in the signal — yet no P wave was annotated on any lead. Their diagnoses
# are printed beside them (in a third-degree AV block, P waves and QRS complexes beat
# independently of each other):

# %%
unlabelled = ecgteach.unlabelled_p_waves(records)
for name, diagnoses in unlabelled.items():
    print(f"record {name}: sinus rhythm, no P labels — {diagnoses or 'no conduction finding'}")
RecordBrowser(record=int(next(iter(unlabelled))), lead="ii")

# %% [markdown]
# Look at one of them: the P waves are there, the labels are not. A model trained on
# these records is told that real P waves are background (label noise; lesson 04
# counts how much of its training data this is).

# %% [markdown]
# ## 5. Real annotations are imperfect *(optional)*
#
# A few waves lack a boundary: the cardiologist did not mark it. `ecgteach` keeps them
# marked as missing (`-1`) instead of inventing one, and lists every irregularity:

# %%
for (kind, message), count in ecgteach.quirk_counts(records).most_common():
    print(f"{count:4d} × {kind}: {message}")

# %% [markdown]
# ## 6. How long is a QRS complex? *(optional)*
#
# All fully annotated QRS complexes of all 200 patients, every lead:

# %%
durations_ms = ecgteach.qrs_durations(records, lead=None)  # None: every lead
low, median, high = np.percentile(durations_ms, [5, 50, 95])
print(f"{durations_ms.size} QRS complexes: median {median:.0f} ms, 5–95 % range "
      f"{low:.0f}–{high:.0f} ms, {np.mean(durations_ms >= 120):.1%} at or above 120 ms")
show(qrs_duration_figure(durations_ms))

# %% [markdown]
# A typical QRS lasts about a tenth of a second — at 250 Hz that is only ~25 samples.
# Every millisecond of error in a boundary is a noticeable fraction of it.

# %% [markdown]
# ## 7. Patients, not beats, are split
#
# Beats of one patient look alike. If the same patient were in training and test, the
# test would flatter the model. One LUDB record is one patient; records 161–200 are the
# fixed **test patients** in every lesson, and the rest split into training and validation.

# %%
split = ecgteach.split_patients(seed=0)
print({name: len(ids) for name, ids in split.items()})
print("test patients:", split["test"][0], "to", split["test"][-1])
print("patients in two parts:", ecgteach.split_overlap(split) or "none")

# %% [markdown]
# ## 8. The learner's dataset
#
# The learner who started this course cut ECGs into **beats**: one row per beat, 200
# samples, two channels `[time_ms, voltage]`, zero-padded at the start when the beat is
# shorter, and the label `[qrs_onset, qrs_offset]` as positions in the row. We build
# exactly that from 300 real beats of the training patients, lead ii, at 250 Hz.

# %%
train_records = ecgteach.load_ludb(split["train"], leads=["ii"])
beats = ecgteach.make_seed_dataset(train_records, lead="ii", n_beats=300, length=200, fs=250)
print(beats)
print("x:", beats.x.shape, " y:", beats.y.shape)
print("first row, first 3 samples [time_ms, voltage]:\n", beats.x[0, :3])

# %%
show(seed_beats_figure(beats, rows=[0, 1, 2]))

# %% [markdown]
# What do the labels look like? If every QRS sat at the same place, a network could
# "cheat" by always predicting that place.

# %%
onset_ms, offset_ms = beats.y_ms[:, 0], beats.y_ms[:, 1]
print(f"onset:  {onset_ms.mean():.0f} ± {onset_ms.std():.0f} ms into the row")
print(f"offset: {offset_ms.mean():.0f} ± {offset_ms.std():.0f} ms into the row")
print(f"rows with zero padding: {np.mean(beats.n_padding > 0):.0%}; "
      f"time channel range {beats.x[:, :, 0].min():.0f}–{beats.x[:, :, 0].max():.0f} ms; "
      f"voltage range {beats.voltage.min():.2f}–{beats.voltage.max():.2f} mV")

# %% [markdown]
# Note the two channels' scales: the time channel runs up to ~800 while the voltage is
# a few millivolts. Keep that in mind for lesson 02.

# %% [markdown]
# ## Conclusion
#
# * LUDB gives 200 patients × 12 leads of real ECGs with P, QRS and T marked by
#   cardiologists; the first and last beats of each record are not labelled.
# * A QRS complex lasts about 100 ms — a couple of dozen samples at 250 Hz.
# * We split by patient, with records 161–200 held out for testing.
# * The learner's dataset is `300 × 200 × 2` beats with `[onset, offset]` labels.
#   Lesson 02 trains the learner's LSTM on it and finds out why it failed.
#
# ## Exercises
#
# Each checkable exercise is followed by a check cell, `ecgteach.check(...)`: run both for instant
# feedback. Replace `None` with your answer; where you write a function, pass the
# function itself — the check calls it on small cases of its own.
#
# **1.** In the browser above, find a record where the QRS on lead v1 looks very
# different from lead ii. Do the cardiologists' QRS boundaries agree between the two
# leads? Compare `record.waves["ii"]["QRS"]` with `record.waves["v1"]["QRS"]`.
#
# **2.** Compute the median QRS duration separately for each lead. Which lead gives
# the longest median QRS?

# %%
longest_lead = None
### BEGIN SOLUTION
medians = {lead: np.median(ecgteach.qrs_durations(records, lead)) for lead in ecgteach.LUDB_LEADS}
longest_lead = max(medians, key=medians.get)
### END SOLUTION

# %%
ecgteach.check("01.2", longest_lead)

# %% [markdown]
# **3.** Write `qrs_durations_ms(waves, fs)`. `waves` is one lead's wave table, as
# `record.waves["ii"]` holds it: `waves["QRS"]` has one row `[onset, peak, offset]` per
# QRS, in samples, with `-1` where the cardiologist marked no boundary. Return the
# duration in milliseconds of every QRS whose onset *and* offset are known (offset −
# onset). Every QRS duration of section 6 is measured this way: a `-1` taken for a
# sample would make durations of thousands of milliseconds.

# %%
def qrs_durations_ms(waves, fs):
    """Durations (ms) of the QRS complexes in `waves` that have both boundaries."""
    ### BEGIN SOLUTION
    qrs = waves["QRS"]
    complete = (qrs[:, 0] != -1) & (qrs[:, 2] != -1)
    return (qrs[complete, 2] - qrs[complete, 0]) * 1000 / fs
    ### END SOLUTION

# %%
ecgteach.check("01.3", qrs_durations_ms)

# %% [markdown]
# **4.** Row 2 of `beats` starts with `beats.n_padding[2]` zeros. Where, in samples of
# the *unpadded* beat, does its QRS start?

# %%
row2_onset_unpadded = None
### BEGIN SOLUTION
row2_onset_unpadded = beats.y[2, 0] - beats.n_padding[2]
### END SOLUTION

# %%
ecgteach.check("01.4", row2_onset_unpadded)

# %% [markdown]
# ## Questions
#
# **Q1.** Why must the unlabelled first and last beats of each record not be used as
# "background" when training a segmenter?
#
# ### BEGIN SOLUTION
# They contain real P, QRS and T waves that nobody marked. Labelled as background, they
# would teach the model that real waves are background, and scoring there would count
# correct detections as false positives.
# ### END SOLUTION
#
# **Q2.** Why are patients, not beats, split between training and test?
#
# ### BEGIN SOLUTION
# Beats of one patient look alike (same morphology, same leads, same noise). With the
# same patient on both sides, the test measures memory of that patient, not how the
# model does on a new one — it flatters the model.
# ### END SOLUTION
