"""Lesson 05's exercises: noise at a chosen SNR, another lead of QTDB, where the noise wins.

>>> import numpy as np
>>> import ecgteach
>>> def add_noise(signal, snr_db, seed):
...     x = np.asarray(signal, dtype=float)
...     noise_power = np.mean((x - x.mean()) ** 2) / 10 ** (snr_db / 10)
...     return x + np.random.default_rng(seed).normal(0, np.sqrt(noise_power), x.shape)
>>> ecgteach.check("05.1", add_noise)
[05.1] ✓ correct: ...
>>> ecgteach.check("05.1", lambda x, snr_db, seed: add_noise(x, snr_db / 2, seed)).message
'...10·log10...'
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ecgteach.classroom.feedback import Feedback, array, call, exercise, number, wrong
from ecgteach.datasets.qtdb import bundled_qtdb_records, load_qtdb
from ecgteach.delineation.scoring import score_delineator
from ecgteach.evaluation.robustness import add_noise


def _pulses(n: int = 40000, fs: float = 500.0) -> np.ndarray:
    """A zero-mean test signal: sharp beats every 0.8 s on a flat baseline (mV)."""
    t = np.arange(n) / fs
    beats = 1.5 * np.exp(-0.5 * (((t % 0.8) - 0.4) / 0.012) ** 2) \
        + 0.3 * np.exp(-0.5 * (((t % 0.8) - 0.6) / 0.04) ** 2)
    return beats - beats.mean()


def _snr_db(signal: np.ndarray, noisy: np.ndarray) -> float:
    noise = noisy - signal
    return 10 * math.log10(np.mean(signal**2) / max(float(np.mean(noise**2)), 1e-300))


class _Problem(Exception):
    """A wrong add_noise, found while running it (its message is the hint)."""


def _noise_problem(function: Any) -> str | None:
    """The usual mistake of an add_noise, from its output on the test pulses (None: right)."""
    signal = _pulses()

    def run(x: np.ndarray, snr: float, seed: int) -> np.ndarray:
        case = f"add_noise(signal of {x.size} samples, snr_db={snr:g}, seed={seed})"
        out = array("05.1", call("05.1", function, x.copy(), snr, seed, case=case)).ravel()
        if out.shape != x.shape:
            raise _Problem(f"it returned shape {out.shape}; expected the signal's {x.shape}")
        return out

    try:
        first = run(signal, 6.0, 1)
        if not np.all(np.isfinite(first)):
            return "it returned NaN or infinite values"
        if abs(_snr_db(signal, first) - (6.0 - 10 * math.log10(signal.size))) <= 0.5:
            return "power is the mean of the squares, not their sum (the energy)"
        if np.corrcoef(first, signal)[0, 1] < 0.3:
            return "return the noisy signal (signal + noise), not the noise alone"
        if not np.array_equal(first, run(signal, 6.0, 1)):
            return "the same seed must give the same noise: np.random.default_rng(seed)"
        if np.array_equal(first, run(signal, 6.0, 2)):
            return "another seed must give other noise: draw from np.random.default_rng(seed)"
        noise = first - signal
        flat = np.abs(signal - np.median(signal)) < 0.01
        ratio = np.var(noise[flat]) / np.var(noise[~flat])
        if not 0.7 < ratio < 1.4:
            return ("the noise follows the signal (large on the beats, none on the baseline): "
                    "white noise has the same size everywhere, scaled once by the signal's "
                    "power")
        by_amplitude = [_snr_db(a * signal, run(a * signal, 6.0, 1)) for a in (0.1, 3.0)]
        if abs(by_amplitude[0] - by_amplitude[1]) > 0.5:
            return (f"at snr_db=6 a 0.1 mV signal got {by_amplitude[0]:.1f} dB and a 3 mV one "
                    f"{by_amplitude[1]:.1f} dB: the noise must be scaled to the signal's "
                    "power, P = mean(x²), noise SD = sqrt(P / 10**(snr_db / 10))")
        for snr in (20.0, 6.0):
            measured = _snr_db(signal, run(signal, snr, 3))
            if abs(measured - snr) <= 0.3:
                continue
            if abs(measured - snr / 2) <= 0.3:
                return (f"asked for {snr:g} dB, got {measured:.1f} dB: a power ratio in dB is "
                        "10·log10, so the noise power is P / 10**(snr_db / 10) (10**(snr/20) "
                        "is for amplitudes)")
            if abs(measured - 2 * snr) <= 0.6:
                return (f"asked for {snr:g} dB, got {measured:.1f} dB: 10**(snr_db / 10) "
                        "divides the power; the SD (an amplitude) divides by its square root, "
                        "10**(snr_db / 20)")
            return (f"asked for {snr:g} dB, got {measured:.1f} dB: 10·log10(signal power / "
                    "noise power) should equal snr_db")
    except _Problem as problem:
        return str(problem)
    return None


@exercise("05.1", "Write add_noise(signal, snr_db, seed): the signal plus white Gaussian noise "
          "at snr_db below the signal's power, repeatable for a seed.",
          writes="add_noise(signal, snr_db, seed)")
def _check_05_1(function: Any) -> Feedback:
    problem = _noise_problem(function)
    if problem:
        return wrong("05.1", problem)
    check = _snr_db(_pulses(), add_noise(_pulses(), 10.0, seed=0))
    return Feedback("05.1", True, "white noise at the asked SNR, the same for a seed: what "
                    f"ecgteach.add_noise does (10 dB there measures {check:.1f} dB on a test "
                    "signal).")


@exercise("05.2", "On QTDB record 1, lead 2: what is the SD of the QRS onset error (ms)?")
def _check_05_2(answer: Any) -> Feedback:
    record = load_qtdb(bundled_qtdb_records()[0])
    first, second = record.leads[0], record.leads[1]
    scored = score_delineator(None, [record], [first, second], warm_up=False)
    scores = {lead: scored.lead(lead).scores()["QRS onset"].sd_ms for lead in (first, second)}
    value = number("05.2", answer)
    if abs(value - scores[second]) <= 0.05:
        better = "better" if scores[second] < scores[first] else "worse"
        return Feedback("05.2", True, f"{scores[second]:.1f} ms on {second} against "
                        f"{scores[first]:.1f} ms on {first}: {better}. The cardiologists "
                        "looked at both leads; the model sees one.")
    if abs(value - scores[first]) <= 0.05:
        return Feedback("05.2", False, f"that is lead {first} (the first); use "
                        "record.leads[1] for the second.")
    return Feedback("05.2", False, "score the second lead (inside its labelled spans): "
                    "ecgteach.score_delineator(None, [record], record.leads[1])"
                    ".pooled.scores()['QRS onset'].sd_ms")


def _noisy_scores(delineator: Any, records: Any, snr: float) -> Any:
    scored = score_delineator(delineator, records, "ii", warm_up=False,
                              corrupt=lambda x, fs: add_noise(x, snr))
    return scored.pooled.scores()["QRS onset"]


@exercise("05.3", "Of the SNRs tried, which is the highest at which the QRS onset Se on the "
          "test records drops below 99 %?")
def _check_05_3(answer: Any, records: Any, delineator: Any, snrs: Any) -> Feedback:
    snrs = [float(snr) for snr in snrs]
    scores = {snr: _noisy_scores(delineator, records, snr) for snr in snrs}
    below = [snr for snr in snrs if scores[snr].sensitivity < 99.0]
    expected = max(below) if below else None
    table = ", ".join(f"{snr:g} dB: {scores[snr].sensitivity:.1f} %" for snr in sorted(snrs))
    if isinstance(answer, str) and answer.strip().lower() == "none":
        if expected is None:
            return Feedback("05.3", True, f"none: Se stays at 99 % or above ({table}); try "
                            "lower SNRs.")
        return Feedback("05.3", False, f"at {expected:g} dB it is "
                        f"{scores[expected].sensitivity:.1f} %: compare .sensitivity (a "
                        "percentage) with 99")
    value = number("05.3", answer)
    if expected is not None and value == expected:
        return Feedback("05.3", True, f"{expected:g} dB ({table}): noise this strong already "
                        "costs QRS onsets.")
    if value not in scores:
        return Feedback("05.3", False, f"{value:g} dB is not one of the SNRs tried "
                        f"({', '.join(f'{s:g}' for s in snrs)})")
    if expected is None:
        return Feedback("05.3", False, f"at {value:g} dB Se is {scores[value].sensitivity:.1f} "
                        "%, not below 99 %: no SNR tried drops below, answer 'none'")
    if value in below:
        return Feedback("05.3", False, f"Se is below 99 % at {value:g} dB, but also at a "
                        "higher SNR (less noise): the question asks for the highest")
    if scores[value].ppv < 99.0:
        return Feedback("05.3", False, f"at {value:g} dB the PPV drops below 99 %, not the "
                        "sensitivity (Se: true onsets found)")
    return Feedback("05.3", False, f"at {value:g} dB Se is still {scores[value].sensitivity:.1f}"
                    " %: look for the highest SNR where it is below 99 %")
