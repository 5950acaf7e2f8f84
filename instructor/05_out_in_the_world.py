# %% [markdown]
# # Lesson 05 — Out in the world
#
# A delineator is only useful on ECGs it has never seen: other patients, other
# machines, other sampling rates, noise. In this lesson you take the trained
# segmenter out of LUDB and watch where it holds and where it breaks.
#
# **You will:** run the shipped segmenter on the QT Database (another hospital,
# 250 Hz, 15-minute records), on a WFDB record of your own, add noise and baseline
# wander with sliders, look at its worst beats, ask whether the cardiologists' labels
# agree with themselves, delineate all 12 leads of a record at once, and save its result
# as a WFDB annotation file that any WFDB tool can read.
#
# **After this lesson you can:**
#
# * test a model on another database and on noisy signals
# * find its worst cases
# * question the reference itself
# * delineate a 12-lead ECG as one set of waves per beat, and read its scores with care
# * save results in a standard format
#
# **Prerequisites:** lessons 01 and 04.
#
# **Time:** about 20 min in class; sections 6 to 8 (*optional*) can be read at home.

# %%
import numpy as np
import wfdb

import ecgteach
from ecgteach.delineation import worst_beats
from ecgteach.evaluation import agreement_summary
from ecgteach.ui import (
    RobustnessExplorer,
    beat_gallery_figure,
    label_agreement_figure,
    prediction_figure,
    robustness_figure,
    score_table,
    show,
)

ecgteach.check_memory()  # on a shared server: says what to close if memory is short

FAST = ecgteach.fast()

# %% [markdown]
# ## 1. The model we take out
#
# `delineate` uses the segmenter shipped with ecgteach (lesson 04 shows how it is
# trained; `ecgteach train` retrains it in about 3 minutes). Its training
# record says what it has seen — and what it has not:

# %%
delineator = ecgteach.Delineator()  # loads and compiles the shipped segmenter once
info = ecgteach.segmenter_info()
print(f"trained on {len(info.config.train_records)} LUDB patients, "
      f"{len(info.config.training_leads)} leads each, at {info.config.fs:g} Hz, "
      f"in {info.training_seconds:.0f} s ({info.epochs_run} epochs)")
print("never trained on: LUDB test patients", ecgteach.TEST_RECORDS[0], "to",
      ecgteach.TEST_RECORDS[-1], "— and no QT Database record at all")

# %% [markdown]
# ## 2. Another database: the QT Database
#
# QTDB was recorded elsewhere, on Holter machines, at 250 Hz, with other leads
# (MLII, V5, …). Only some beats carry a cardiologist's labels (`q1c`), so we score
# only inside those spans.

# %%
qtdb_names = ecgteach.bundled_qtdb_records()[: 2 if FAST else None]
qtdb = [ecgteach.load_qtdb(name) for name in qtdb_names]
for record in qtdb:
    print(record, "| labelled spans:", len(record.spans[record.leads[0]]))

# %%
qtdb_scores = ecgteach.score_delineator(delineator, qtdb, leads=0)  # each record's first lead
score_table(qtdb_scores.pooled, "QT Database, first lead, labelled spans")

# %% [markdown]
# Compare with the LUDB test patients, lead ii, the same way (`score_delineator`):

# %%
test_records = ecgteach.load_ludb(ecgteach.TEST_RECORDS[: 8 if FAST else None], leads=["ii"])
ludb_scores = ecgteach.score_delineator(delineator, test_records, leads="ii")
score_table(ludb_scores.pooled, "LUDB test patients, lead ii")

# %% [markdown]
# Look at the two tables: which boundaries hold across databases, and which drift?
# Remember that QTDB's T waves mostly have no annotated onset, and that its
# annotators are not LUDB's: part of any difference is the experts, not the model.

# %%
record = qtdb[0]
lead = record.leads[0]
start = record.spans[lead][0][0]
show(prediction_figure(record, lead, delineator, start_s=start / record.fs,
                       stop_s=start / record.fs + 6))

# %% [markdown]
# ## 3. Your own ECG
#
# Most ECGs you will meet outside a database are a CSV file (a phone or watch export),
# an EDF file, or a NumPy array. `ecgteach.load_recording(path)` reads any of them, and
# WFDB records too; for a table it finds the time column (in s or ms) and takes the
# sampling rate from it. Here we write 20 s of a QTDB record as if it were your watch's
# export: a time column in milliseconds at 360 Hz, and one ECG column. `delineate`
# resamples it to the model's 250 Hz first (and maps the waves back to 360 Hz), so the
# network itself still sees the rate it was trained on.

# %%
import tempfile
from pathlib import Path

folder = Path(tempfile.mkdtemp())
piece = ecgteach.resample_signal(qtdb[0].lead(lead)[start : start + 20 * 250], 250, 360)
time_ms = np.arange(piece.size) * 1000 / 360
np.savetxt(folder / "my_watch.csv", np.column_stack([time_ms, piece]), delimiter=",",
           header="time_ms,ecg_mv", comments="", fmt="%.4f")
mine = ecgteach.load_recording(folder / "my_watch.csv")
print(f"{mine.path.name}: {mine.seconds:.0f} s at {mine.fs:g} Hz, leads {mine.leads}")
name, samples = mine.lead("ecg_mv")
my_waves = delineator(samples, mine.fs)
print({kind: len(rows) for kind, rows in my_waves.items()}, "waves found at", mine.fs, "Hz")

# %% [markdown]
# From a terminal the same is one command, which writes the waves beside the file as a
# WFDB annotation file and, with `--csv`, as a table of onsets, peaks and offsets in
# seconds: `ecgteach delineate my_watch.csv --csv` (add `--fs 500` for a file without a
# time column, `--column NAME` to pick a column).

# %% [markdown]
# ## 4. Noise and baseline wander
#
# Real ECGs are noisy: muscle activity, electrode motion, breathing. Move the
# sliders: the figure shows the corrupted lead with the cardiologists' waves on top
# and the model's below, and the table re-scores the model on the test patients.

# %%
RobustnessExplorer(test_records[:6], delineator)

# %% [markdown]
# The same, measured over a range of noise levels (each point: all test records
# shown above, lead ii):

# %%
snrs = [30, 20, 10, 5, 0] if not FAST else [20, 5]
curve = {snr: ecgteach.score_delineator(
             delineator, test_records, "ii",
             corrupt=lambda x, fs, snr=snr: ecgteach.add_noise(x, snr)).pooled.scores()
         for snr in snrs}
show(robustness_figure(curve, x_title="signal-to-noise ratio (dB)"))
onset_se = [curve[snr]["QRS onset"].sensitivity for snr in snrs]  # from clean to noisy
ecgteach.claim(onset_se[-1] <= onset_se[0],
               f"more noise finds no more QRS onsets: Se {onset_se[0]:.1f} % at {snrs[0]} dB, "
               f"{onset_se[-1]:.1f} % at {snrs[-1]} dB")

# %%
wander = {mv: ecgteach.score_delineator(
              delineator, test_records, "ii",
              corrupt=lambda x, fs, mv=mv: ecgteach.add_baseline_wander(x, fs, mv)
          ).pooled.scores()
          for mv in ([0.0, 0.5, 1.0, 2.0] if not FAST else [0.0, 1.0])}
show(robustness_figure(wander, x_title="baseline wander amplitude (mV)"))

# %% [markdown]
# ## 5. Where it fails
#
# The QRS complexes of the test patients with the largest boundary errors. Looking at
# failures teaches more than the averages: are they odd beats (paced, ectopic), noisy
# stretches, or disagreements you would side with the model on?

# %%
gallery = worst_beats(test_records, delineator, n=6)
for beat in gallery:
    print(beat)
show(beat_gallery_figure(test_records, gallery, delineator))

# %% [markdown]
# ## 6. Does the reference agree with itself? *(optional)*
#
# LUDB's cardiologists marked each of the 12 leads on its own, so the same beat's QRS
# offset in lead ii can be set against its offset in the other eleven leads. Where
# lead ii's label departs from the others, whom does the model follow? One point per
# test patient: to the right of zero, lead ii's label sits after the other leads'.
# The dashed line is y = −x: a point on it is a model that ends exactly where the
# other leads' labels do, so its "error" against lead ii is that departure with the
# sign reversed.

# %%
twelve_leads = ecgteach.load_ludb(ecgteach.TEST_RECORDS[: 8 if FAST else None])
agreement = ecgteach.label_agreement(twelve_leads, delineator, lead="ii", boundary="QRS offset")
summary = agreement_summary(agreement, departs_ms=10)
print(f"model − lead ii label: {summary['model_vs_label_ms']:+.1f} ms on average "
      f"({summary['n_beats']} beats); without the {len(summary['departing'])} records "
      f"whose label departs by > 10 ms: {summary['model_vs_label_without_departing_ms']:+.1f} ms")
print(f"correlation across records between departure and model error: "
      f"{summary['correlation']:+.2f}")
show(label_agreement_figure(agreement))

# %% [markdown]
# Read the figure: which records follow the dashed line (the model sides with the
# other leads) and which the dotted one (it sides with lead ii's label)? A mean error
# of a couple of milliseconds on one lead is a comparison with one person's reading
# of that lead. Before you tune a model to shave it off, look at how
# far the reference moves between leads of the same beat.

# %% [markdown]
# ## 7. All 12 leads at once *(optional)*
#
# A clinical ECG has 12 leads, and a cardiologist reads each beat in all of them: one
# beat has one QRS complex, with one onset and one offset, however many leads show it.
# `delineate` takes all leads of a record at once (its `signal`, one column per
# lead): it runs them in one batch, averages the leads' per-sample class probabilities
# and cuts one set of waves from the average. With `fuse=False` it returns one set per
# lead instead.

# %%
ecg = twelve_leads[0]
print(ecg.signal.shape, "= samples x leads:", ", ".join(ecg.leads))
fused = ecgteach.delineate(ecg.signal, ecg.fs, model=delineator)  # one set, 12 leads
each = ecgteach.delineate(ecg.signal, ecg.fs, model=delineator, fuse=False)
print("fused, one set:", {kind: len(rows) for kind, rows in fused.items()})
print("lead by lead, QRS found:", [len(waves["QRS"]) for waves in each])

# %% [markdown]
# The fused waves drawn under lead v1, with v1's own labels in the top strip:

# %%
show(prediction_figure(ecg, "v1", lambda signal, fs: fused, start_s=2, stop_s=6))

# %% [markdown]
# Is one set for all 12 leads as good as 12 sets? Score both on the test patients: the
# leads delineated one by one, each against its own labels, and the fused set against
# every lead's labels (`fuse=True`).

# %%
one_by_one = ecgteach.score_delineator(delineator, twelve_leads, "all")
score_table(one_by_one.pooled, "LUDB test patients, 12 leads, each lead delineated on its own")

# %%
together = ecgteach.score_delineator(delineator, twelve_leads, "all", fuse=True)
score_table(together.pooled, "the same leads, one fused set scored against every lead's labels")

# %%
alone, fused_scores = one_by_one.pooled.scores(), together.pooled.scores()
ecgteach.claim(all(fused_scores[b].sensitivity >= alone[b].sensitivity for b in alone),
               "at every boundary the fused set finds at least as many of the labelled "
               "waves (Se) as the leads delineated one by one")

# %%
ecgteach.claim(all(fused_scores[b].sd_ms > alone[b].sd_ms for b in alone),
               "at every boundary the fused set's errors spread more (a larger SD)")

# %% [markdown]
# Where does the spread come from? The mean QRS onset error in each lead, for both:

# %%
own = {lead: one_by_one.lead(lead).scores()["QRS onset"].mean_ms for lead in one_by_one.leads}
shared = {lead: together.lead(lead).scores()["QRS onset"].mean_ms for lead in together.leads}
print("QRS onset, mean error (ms) per lead:")
print("lead        " + "".join(f"{lead:>6s}" for lead in own))
print("on its own  " + "".join(f"{own[lead]:+6.1f}" for lead in own))
print("fused       " + "".join(f"{shared[lead]:+6.1f}" for lead in own))
early, late = min(shared, key=shared.get), max(shared, key=shared.get)
width = {name: max(means.values()) - min(means.values())
         for name, means in (("own", own), ("fused", shared))}
ecgteach.claim(shared[early] < 0 < shared[late] and width["fused"] > width["own"],
               f"the fused onset comes on average before lead {early}'s labels "
               f"({shared[early]:+.1f} ms) and after lead {late}'s ({shared[late]:+.1f} ms), "
               f"a range of {width['fused']:.1f} ms across the leads; delineated on their own, "
               f"{width['own']:.1f} ms")

# %% [markdown]
# What can the comparison say? That one set of boundaries per beat, taken from all 12
# leads, finds at least as many of the waves the leads' labels mark as twelve separate
# sets do. What it cannot say is which boundaries are closer to the truth. Delineated
# on its own, each lead is scored against the labels of the lead it saw; the fused
# onset is one instant per beat, scored against twelve labels that differ among
# themselves (section 6): it sits after some leads' labels and before others', so its
# SD holds the reference's own spread. Judging a global boundary fairly needs a global
# reference, such as one onset per beat marked by a cardiologist looking at all 12
# leads together.

# %% [markdown]
# ## 8. Save the result as a WFDB annotation file *(optional)*
#
# ecgteach writes the waves in the same `(` peak `)` convention as LUDB and QTDB,
# so `wfdb.rdann` and every WFDB tool can read them — beside your CSV too (this is
# what `ecgteach delineate my_watch.csv` writes; for a 12-lead record,
# `ecgteach delineate path/to/record --fused` writes the fused set of section 7, and
# `--all-leads` every lead's own set, lead k on annotation channel k):

# %%
written = ecgteach.write_annotations(folder / "my_watch", "ecgteach", my_waves, mine.fs)
annotation = wfdb.rdann(str(folder / "my_watch"), "ecgteach")
print(written.name, "holds", len(annotation.sample), "annotations; the first six:")
print(list(zip(annotation.symbol[:6], annotation.sample[:6], strict=True)))

# %% [markdown]
# ## Conclusion
#
# * The segmenter runs on records it never saw, at any sampling rate (resampled to its
#   250 Hz first), fast enough to delineate a 15-minute Holter record in one call.
# * Scores on another database are the honest test: compare the QTDB and LUDB tables.
# * Noise and baseline wander degrade it; the curves show how fast.
# * The worst beats are where to look next — for the model, and for the labels.
# * The reference has a spread of its own: one lead's label can sit milliseconds away
#   from the same beat's label in the other leads, and a model's "error" partly
#   measures that.
# * All 12 leads can be delineated together, one set of boundaries per beat. Scored
#   against every lead's labels it finds at least as many waves, but its errors spread
#   more: partly the spread of twelve references, not only the model's.
# * Results go back into the WFDB world as annotation files.
#
# ## Exercises
#
# **1.** Write `add_noise(signal, snr_db, seed)`: return the signal plus white Gaussian
# noise whose power is the signal's power (the mean square of the signal minus its
# mean) divided by `10**(snr_db / 10)`, drawn from `np.random.default_rng(seed)` so the
# same seed gives the same noise. The noise curves of section 4 are made this way
# (`ecgteach.add_noise`); an SNR off by a factor of two would move them by many dB.

# %%
def add_noise(signal, snr_db, seed):
    """signal + white Gaussian noise at snr_db below the signal's power (repeatable)."""
    ### BEGIN SOLUTION
    x = np.asarray(signal, dtype=float)
    noise_power = np.mean((x - x.mean()) ** 2) / 10 ** (snr_db / 10)
    return x + np.random.default_rng(seed).normal(0.0, np.sqrt(noise_power), x.shape)
    ### END SOLUTION

# %%
ecgteach.check("05.1", add_noise)

# %% [markdown]
# **2.** Delineate lead V5 (the second lead) of `qtdb[0]` instead of the first. Do
# the QRS onset errors get better or worse? Give the SD of its QRS onset error (ms).

# %%
v5_onset_sd = None
### BEGIN SOLUTION
second = qtdb[0].leads[1]
v5 = ecgteach.score_delineator(delineator, [qtdb[0]], leads=second)
v5_onset_sd = v5.pooled.scores()["QRS onset"].sd_ms
### END SOLUTION

# %%
ecgteach.check("05.2", v5_onset_sd)

# %% [markdown]
# **3.** Of the SNRs in `tried`, which is the highest at which the QRS onset
# sensitivity on `test_records` (lead ii) drops below 99 %? Score each with
# `ecgteach.score_delineator(delineator, test_records, "ii", corrupt=lambda x, fs:
# ecgteach.add_noise(x, snr))` (seed 0, the default). Answer `"none"` if it never does.

# %%
tried = [30, 20, 10, 5, 0, -5, -10, -15, -20]
se_drops_below_99_at_db = None
### BEGIN SOLUTION
below = [snr for snr in tried
         if ecgteach.score_delineator(
             delineator, test_records, "ii",
             corrupt=lambda x, fs, snr=snr: ecgteach.add_noise(x, snr)
         ).pooled.scores()["QRS onset"].sensitivity < 99]
se_drops_below_99_at_db = max(below) if below else "none"
### END SOLUTION

# %%
ecgteach.check("05.3", se_drops_below_99_at_db, records=test_records, delineator=delineator,
               snrs=tried)

# %% [markdown]
# ## Questions
#
# **Q1.** The model was trained at 250 Hz. Why can it delineate a 360 Hz record?
#
# ### BEGIN SOLUTION
# `delineate` resamples every input to the model's 250 Hz, runs the model, and maps
# the boundaries back to the input rate. The model itself only ever sees 250 Hz.
# ### END SOLUTION
#
# **Q2.** QTDB's scores differ from LUDB's. Name two reasons other than "the model is
# worse on QTDB".
#
# ### BEGIN SOLUTION
# Different annotators (each expert places boundaries a little differently — even the
# two LUDB leads disagree by several ms), different annotation rules (QTDB T waves
# rarely have onsets; only some beats are labelled), and different leads/recording
# hardware (Holter leads, 250 Hz source).
# ### END SOLUTION
#
# **Q3.** In section 6, take a record whose lead ii label sits well after the other
# leads' labels and whose point lies on the dashed line. Is the model wrong there?
# What would you need to decide, and what would it mean for a (hypothetical)
# requirement such as "mean error within ±2 ms on lead ii"?
#
# ### BEGIN SOLUTION
# Not necessarily: the model ends the QRS where the other eleven leads' labels end
# it; only lead ii's label says otherwise. Deciding needs a better reference — the
# beat seen in all leads at once, or a second annotator — not a better model. A
# ±2 ms requirement on one lead's labels is finer than the spread between leads of the
# same beat, so part of the measured bias is the reference's, and tuning a model
# until that number moves means fitting one annotator's habit on a few patients.
# ### END SOLUTION
