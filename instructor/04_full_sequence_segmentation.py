# %% [markdown]
# # Lesson 04 — Full-sequence segmentation
#
# Lessons 02 and 03 needed beats cut around a QRS that was already found. A real
# delineator gets a raw recording. The answer that worked for the learner: a
# bidirectional LSTM that labels **every sample** as background, P, QRS or T. Runs of
# labels become waves; their first and last samples are the onsets and offsets.
#
# **You will:** see the per-sample targets, meet the segmenter, turn its masks into
# waves, score it on the test patients the way the field does (matched within 150 ms,
# beside the CSE tolerances), and compare it with NeuroKit2's classical wavelet
# delineator on the same records.
#
# **After this lesson you can:**
#
# * label every sample of a recording
# * turn per-sample labels into waves
# * score a delineator as the field does (matched within 150 ms, Se, PPV, mean ± SD
#   beside the CSE tolerances) and read a confidence interval
#
# **Prerequisites:** lessons 01–03.
#
# **Time:** about 25 min in class; section 6 (*optional*, retraining for ~3 min) is
# homework.

# %%
import numpy as np
from IPython.display import display

import ecgteach
from ecgteach.delineation import (
    CLASS_RECIPE,
    DEFAULT_RECIPE,
    MODEL_FS,
    P_RHYTHM_REACH,
    P_RHYTHM_SHARE,
)
from ecgteach.nn import pooled_rate_decoder
from ecgteach.ui import (
    ComparisonBoard,
    SegmentationViewer,
    loss_figure,
    score_table,
    segmenter_panel,
    show,
    table_html,
    window_figure,
)

ecgteach.check_memory()  # on a shared server: says what to close if memory is short

FAST = ecgteach.fast()  # ECGTEACH_FAST=1: fewer records (for the test suite)
split = ecgteach.split_patients(seed=0)
test_ids = ecgteach.TEST_RECORDS[: 6 if FAST else None]

# %% [markdown]
# ## 1. Every sample gets a label
#
# Records are cut into 2 s windows at 250 Hz inside their labelled span; each sample
# is labelled from the cardiologists' waves. Grey marks samples nobody labelled (next
# to a boundary that was not annotated): they are left out of the loss.

# %%
train_records = ecgteach.load_ludb(split["train"][: 8 if FAST else None])
windows = ecgteach.make_windows(train_records, fs=250, window_s=2.0)
print(windows)
shares = np.bincount(windows.labels[windows.valid], minlength=4) / windows.valid.sum()
print(", ".join(f"{name} {share:.0%}" for name, share in zip(ecgteach.SEGMENT_CLASSES,
                                                               shares, strict=True)))
show(window_figure(windows, 3))

# %% [markdown]
# The labels are not perfect. Lesson 01 found patients in sinus rhythm whose P waves
# were never annotated: in their windows, real P waves are labelled background. Among
# the training patients here:

# %%
noisy = ecgteach.unlabelled_p_waves(train_records)
print(f"{len(noisy)} of {len(train_records)} training patients have P waves but no P labels"
      + (f" (records {', '.join(noisy)}): their P waves are taught as background" if noisy
         else ""))

# %% [markdown]
# ## 2. The segmenter
#
# Two `Conv1D` layers see the local shape of the signal, `MaxPooling` shortens the
# sequence by its pooling factor (printed below) so the `Bidirectional(LSTM(32))`
# runs fast, `UpSampling` brings it back to every sample, and a skip connection from
# the convolutions keeps the boundaries sharp. A softmax over 4 classes per sample
# comes out.

# %%
model = ecgteach.load_segmenter()  # the shipped default
info = ecgteach.segmenter_info()
print(f"{ecgteach.count_params(model):,} parameters; trained with `ecgteach train` on "
      f"{info.config.n_train_windows} windows of {len(info.config.train_records)} "
      f"patients, {info.epochs_run} epochs in {info.training_seconds:.0f} s "
      f"on a {info.machine['cpus']}-core CPU; pooling factor "
      f"{info.config.build_kwargs['pool_size']}")
show(loss_figure(info.history, title="the shipped segmenter: loss per epoch (recorded when "
                 "it was trained)"))

# %% [markdown]
# Its layers, as Keras lists them (the `Bidirectional` LSTM runs on the pooled
# sequence; `UpSampling1D` and the `Concatenate` skip connection bring it back to
# every sample):

# %%
model.summary()

# %% [markdown]
# **Why it runs in milliseconds.** `UpSampling1D` repeats each LSTM state as many
# times as the pooling factor, and the `decoder` convolution then reads the repeats.
# A convolution over repeated samples is a convolution over the *pooled* sequence with
# one kernel per phase (which of the repeated samples the output sits on), each the sum
# of the taps that land on the same state. `ecgteach.nn.pooled_rate_decoder` rewrites
# the trained model that way, with no training: the LSTM half of the decoder then runs
# on the short sequence. The delineator runs that form. Check that it is the same
# function, on a test patient's lead ii:

# %%
patient = ecgteach.load_ludb_record(test_ids[0], leads=["ii"])
lead_ii = ecgteach.standardise(ecgteach.resample_signal(patient.lead("ii"), patient.fs, MODEL_FS))
lead_ii = lead_ii[None, :, None].astype("float32")   # (batch, samples, channels)
rewritten = pooled_rate_decoder(model)
difference = float(np.abs(np.asarray(rewritten(lead_ii)) - np.asarray(model(lead_ii))).max())
print(f"largest difference between the two forms' probabilities: {difference:.1e}")
ecgteach.claim(difference < 1e-4, "the rewritten model gives the same probabilities")

# %% [markdown]
# ## 3. From masks to waves
#
# Pick a test patient and a lead. The top strip shows the cardiologists' waves, the
# bottom strip the segmenter's; tick **probabilities** to see the per-sample class
# probabilities whose argmax makes the strip. Each edge is then moved to its
# *expected* position: the onset is the peak minus the expected number of QRS samples
# before it (the sum of the QRS probability there), and likewise for the offset — the
# mean of the model's belief rather than its median (`ecgteach.probabilities_to_waves`).
# A P wave is summed relative to its own highest probability: a model only 60 % sure
# that a small bump *is* a P wave should not, for that reason, make the bump shorter.
# The header gives this lead's QRS errors.

# %%
delineator = ecgteach.Delineator(model)
test_records = ecgteach.load_ludb(test_ids)
SegmentationViewer(test_records, delineator, lead="ii")

# %% [markdown]
# ## 4. Scored as the field scores
#
# Each true boundary is matched to the nearest predicted one of the same kind within
# ±150 ms, inside the labelled span only. Sensitivity (Se) is the share of true
# boundaries found, PPV the share of predictions that match one; the error is
# predicted − true. The CSE tolerance is the largest acceptable SD of that error.
# A mean over a few dozen patients is itself uncertain: the "95 % CI" column
# resamples whole patients (a bootstrap) to show how far the mean could move on
# another set of patients like these. First lead ii of the test patients, then all
# 12 leads:

# %%
segmenter_scores = ecgteach.score_delineator(delineator, records=test_ids, leads="all")
display(score_table(segmenter_scores.by_lead["ii"], f"lead ii of {len(test_ids)} test patients",
                    ci=True))
display(score_table(segmenter_scores.pooled, "all 12 leads", ci=True))

# %%
within = [s.name for s in segmenter_scores.by_lead["ii"].scores().values() if s.within_cse]
print("lead ii boundaries with SD within the CSE tolerance:", ", ".join(within) or "none")

# %% [markdown]
# ### P waves need a rhythm
#
# In atrial fibrillation the atria quiver instead of beating: there is no P wave, only
# small irregular waves that a segmenter reading 2 s at a time can take for P waves.
# In sinus rhythm every beat has its P wave. So the delineator keeps a P wave only
# where enough of the RR intervals around it hold one
# (`ecgteach.delineation.organised_p_waves`, printed below); it was chosen under
# cross-validation, on patients 1-160. Test patient 173 is in atrial fibrillation:

# %%
print(f"a P wave is kept where at least {P_RHYTHM_SHARE:.0%} of the RR "
      f"intervals around it (its own and {P_RHYTHM_REACH} on each side) "
      "hold a P wave")
every_p_delineator = ecgteach.Delineator(model, rhythm=False)
fibrillation = ecgteach.load_ludb_record(173)
found = {name: len(d(fibrillation.lead("ii"), fibrillation.fs)["P"])
         for name, d in (("without the rule", every_p_delineator), ("with it", delineator))}
print(f"record 173 ({ecgteach.ludb_metadata(173)['Rhythms']}), lead ii: the cardiologists "
      f"marked {len(fibrillation.lead_waves('ii')['P'])} P waves; the segmenter finds "
      f"{found['without the rule']} without the rule, {found['with it']} with it")
ecgteach.claim(found["with it"] < found["without the rule"],
               "the rule removes P waves the segmenter finds in atrial fibrillation")

# %% [markdown]
# And on all the test patients (lead ii), where most are in sinus rhythm:

# %%
every_p = ecgteach.score_delineator(every_p_delineator, test_ids, "ii").pooled.scores()["P onset"]
with_rule = segmenter_scores.by_lead["ii"].scores()["P onset"]
for name, score in (("every P wave kept", every_p), ("with the rhythm rule", with_rule)):
    print(f"{name}: Se {score.sensitivity:.1f} %, PPV {score.ppv:.1f} % "
          f"({score.tp} true P waves found, {score.fp} false)")
ecgteach.claim(every_p.fp - with_rule.fp >= every_p.tp - with_rule.tp,
               "the rule removes at least as many false P waves as true ones")

# %% [markdown]
# ## 5. Against a classical delineator
#
# NeuroKit2's `ecg_delineate` (discrete wavelet transform, with its own R-peak detector)
# is a widely used classical method. Same records, same lead, same scoring:

# %%
neurokit_scores = ecgteach.score_neurokit(records=test_ids, leads="ii")
score_table(neurokit_scores.pooled, f"NeuroKit2 dwt, lead ii of {len(test_ids)} test patients")

# %%
rows = []
for name, scores in (("segmenter", segmenter_scores.by_lead["ii"]),
                     ("NeuroKit2 dwt", neurokit_scores.pooled)):
    for boundary in ("QRS onset", "QRS offset"):
        s = scores.scores()[boundary]
        rows.append({"method": name, "boundary": boundary, "Se %": s.sensitivity,
                     "PPV %": s.ppv, "mean ms": s.mean_ms, "SD ms": s.sd_ms})
table_html(rows)

# %%
per_lead = {
    "segmenter": segmenter_scores.median_seconds_per_record / len(segmenter_scores.leads),
    "NeuroKit2 dwt": neurokit_scores.median_seconds_per_record / len(neurokit_scores.leads),
}
for name, seconds in per_lead.items():
    print(f"{name}: {1000 * seconds:.1f} ms per 10 s lead (median over records)")

# %% [markdown]
# ## 6. Retrain it yourself *(optional)*
#
# The segmenter above came with ecgteach. Press **Train** to train one from scratch with
# the class recipe: the shipped model and schedule in fewer epochs, within a minute
# (both recipes are printed below). For the full recipe, set its epochs and give it a
# budget of a few minutes (the shipped one took the time printed in section 2, on the CPU
# named there), or change its size or the training leads first. The validation scores
# land on the board.

# %%
print(f"class recipe: {CLASS_RECIPE['description']}, within {CLASS_RECIPE['seconds']:.0f} s")
print(f"full recipe: {DEFAULT_RECIPE['epochs']} epochs, batches of {DEFAULT_RECIPE['batch_size']}")

# %%
board = ComparisonBoard(metric="QRS onset SD (ms)")
segmenter_panel(board)

# %%
board

# %% [markdown]
# ## Conclusion
#
# * One network labels every sample of a record of any length: no beat cutting, no
#   counter, P and T waves for free.
# * The tables above score it on patients it never saw, beside the CSE tolerances and
#   beside a classical wavelet delineator measured in the same run.
# * Lesson 05 takes it out of LUDB: another database, your own records, noise.
#
# ## Exercises
#
# **1.** Write the first step of section 3: `mask_to_runs(labels, class_id)` takes the
# per-sample labels of one signal (0 background, 1 P, 2 QRS, 3 T) and returns an
# `(n, 2)` integer array, one `[onset, offset]` row per run of `class_id` (the run's
# first and last sample, inclusive). A run that touches the start (end) of the signal
# may have begun (go on) outside it: its onset (offset) is `-1`. This is how a mask
# becomes waves (`ecgteach.labels_to_waves`, which also merges short gaps).

# %%
def mask_to_runs(labels, class_id):
    """[onset, offset] (inclusive) of each run of class_id; -1 at the signal's ends."""
    ### BEGIN SOLUTION
    inside = np.concatenate([[0], (np.asarray(labels) == class_id).astype(int), [0]])
    starts = np.flatnonzero(np.diff(inside) == 1)
    stops = np.flatnonzero(np.diff(inside) == -1)  # one past the last sample
    onsets = np.where(starts > 0, starts, -1)
    offsets = np.where(stops < len(labels), stops - 1, -1)
    return np.column_stack([onsets, offsets]).astype(int)
    ### END SOLUTION

# %%
ecgteach.check("04.1", mask_to_runs)

# %% [markdown]
# **2.** Write the matching of section 4: `match(true_samples, predicted_samples, fs,
# tolerance_ms=150)` pairs true and predicted boundaries (sample indices, `-1` =
# none) one-to-one, the closest pairs first, only pairs at most `tolerance_ms` apart;
# return `(Se %, PPV %, mean error in ms)` with the error predicted − true over the
# matched pairs. Every Se, PPV and error in these lessons comes from this rule.

# %%
def match(true_samples, predicted_samples, fs, tolerance_ms=150):
    """(Se %, PPV %, mean error ms) of a one-to-one nearest matching within ±tolerance."""
    ### BEGIN SOLUTION
    true = [t for t in true_samples if t != -1]
    pred = [p for p in predicted_samples if p != -1]
    pairs = sorted((abs(p - t), i, j) for i, t in enumerate(true) for j, p in enumerate(pred)
                   if abs(p - t) * 1000 / fs <= tolerance_ms)
    used_true, used_pred, errors = set(), set(), []
    for _, i, j in pairs:
        if i not in used_true and j not in used_pred:
            used_true.add(i)
            used_pred.add(j)
            errors.append((pred[j] - true[i]) * 1000 / fs)
    return 100 * len(errors) / len(true), 100 * len(errors) / len(pred), np.mean(errors)
    ### END SOLUTION

# %%
ecgteach.check("04.2", match)

# %% [markdown]
# **3. Mini-project.** The shipped segmenter learned from all 12 leads. Train one on
# **lead ii only** — `ecgteach.train_default_segmenter(leads="ii", seconds=...,
# recipe={"epochs": ...}, fast=FAST, progress="text", score_validation=False)` returns
# `(model, info)`; 40 epochs take under a minute on one lead — then score it on its
# validation patients (`info.config.val_records`) with
# `ecgteach.score_delineator(model, records, leads)`.
# What is its QRS onset SD (ms) on lead v1, a lead it never saw, and on lead ii? Answer
# `{"v1": ..., "ii": ...}`.

# %%
lead_ii_model, lead_ii_info = None, None
### BEGIN SOLUTION
lead_ii_model, lead_ii_info = ecgteach.train_default_segmenter(
    leads="ii", seconds=90, recipe={"epochs": 40}, fast=FAST, progress="text",
    score_validation=False)
### END SOLUTION

# %%
lead_ii_onset_sd = None
### BEGIN SOLUTION
lead_ii_scores = ecgteach.score_delineator(lead_ii_model, lead_ii_info.config.val_records,
                                           ["v1", "ii"])
lead_ii_onset_sd = {lead: lead_ii_scores.by_lead[lead].scores()["QRS onset"].sd_ms
                    for lead in ("v1", "ii")}
### END SOLUTION

# %%
ecgteach.check("04.3", lead_ii_onset_sd, model=lead_ii_model, info=lead_ii_info)

# %% [markdown]
# **4.** In the viewer, find a test patient and lead where the segmenter's QRS offsets
# disagree most with the cardiologists'. Look at the probabilities there: is the model
# unsure, or confidently different?

# %% [markdown]
# ## Questions
#
# **Q1.** Why is matching within ±150 ms and reporting Se, PPV *and* the error SD
# fairer than reporting only the mean error?
#
# ### BEGIN SOLUTION
# A mean error near zero can hide large errors of both signs and says nothing about
# missed or invented boundaries. Se counts misses, PPV counts false detections, and the
# SD measures the spread that the CSE tolerances bound.
# ### END SOLUTION
#
# **Q2.** Why must samples outside the labelled span be left out of the loss rather
# than labelled "background"?
#
# ### BEGIN SOLUTION
# They contain real, unlabelled waves; calling them background teaches the model to
# ignore real waves. Masking them out of the loss (sample weight 0) lets the model
# learn only from what the cardiologists actually labelled.
# ### END SOLUTION
#
# **Q3.** Suppose (hypothetically) someone asks for "a mean error within ±2 ms". Look
# at the 95 % interval of the lead ii QRS offset mean in section 4. What does it say
# about a model that just misses (or just meets) such a requirement on these patients?
#
# ### BEGIN SOLUTION
# The mean is an average over a few dozen patients; on another set of patients like
# these it would land anywhere in the interval, so a miss or a pass by a fraction of a
# millisecond is within the noise of which patients were drawn. Judging a bias needs
# more patients (e.g. cross-validation over all the non-test patients: train on four
# fifths, score the fifth, five times) — not tuning the model towards the test set,
# which would make the test number meaningless.
# ### END SOLUTION
