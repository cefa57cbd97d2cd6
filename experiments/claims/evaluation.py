"""Judging a claim: the paired statistics of its per-seed contrasts and its outcome.

A claim is reproduced when the mean contrast lies on the expected side of its margin and
a one-sided paired test (paired t, or Wilcoxon signed-rank for clearly non-normal
contrasts) rejects the opposite at :data:`ALPHA`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from experiments.claims.design import BASE_SEED, Claim
from experiments.statistics import mean_ci

ALPHA = 0.01
"""One-sided significance level of every claim test."""
NORMALITY_ALPHA = 0.01
"""Below this Shapiro-Wilk p-value the contrasts count as clearly non-normal."""
BOOTSTRAP = 2000


def paired_test(
    contrasts: np.ndarray, margin: float, expected: Literal["greater", "less"]
) -> tuple[float, str, float]:
    """One-sided test of paired contrasts against ``margin``.

    Parameters
    ----------
    contrasts
        Per-seed contrasts (for two levels, the paired differences).
    margin
        The null value.
    expected
        The alternative: the mean contrast is ``"greater"`` or ``"less"`` than margin.

    Returns
    -------
    (p, test, shapiro_p)
        The paired t-test's p-value, unless Shapiro-Wilk rejects normality of the
        contrasts at :data:`NORMALITY_ALPHA`: then the Wilcoxon signed-rank test's.
    """
    shifted = np.asarray(contrasts, float) - margin
    shifted = shifted[np.isfinite(shifted)]
    if shifted.size < 2 or np.all(shifted == 0):
        return 1.0, "paired t", float("nan")
    if np.ptp(shifted) == 0:  # constant non-zero differences: the sign is certain
        certain = (shifted[0] > 0) == (expected == "greater")
        return (0.0 if certain else 1.0), "paired t", float("nan")
    shapiro = float(stats.shapiro(shifted).pvalue) if shifted.size >= 3 else float("nan")
    if np.isfinite(shapiro) and shapiro < NORMALITY_ALPHA:
        p = stats.wilcoxon(shifted, alternative=expected).pvalue
        return float(p), "Wilcoxon signed-rank", shapiro
    p = stats.ttest_1samp(shifted, 0.0, alternative=expected).pvalue
    return float(p), "paired t", shapiro


@dataclass(frozen=True)
class ClaimOutcome:
    """What a claim's experiment measured.

    Attributes
    ----------
    claim
        The claim.
    values
        The (level, seed) matrix of the KPI (seeds with a missing value left out).
    contrasts
        The per-seed contrasts.
    mean, ci
        Their mean and 95% paired t interval.
    p_value, test, shapiro_p
        The one-sided p-value against the margin in the expected direction, which test
        gave it, and the Shapiro-Wilk p-value that chose the test.
    gap_closed, gap_closed_ci
        With ``claim.gap``: the share of the gap from its start level to its end level
        that the candidate closes (ratio of mean differences) and a bootstrap 95% CI
        over seeds.
    """

    claim: Claim
    values: np.ndarray
    contrasts: np.ndarray
    mean: float
    ci: tuple[float, float]
    p_value: float
    test: str
    shapiro_p: float
    gap_closed: float | None = None
    gap_closed_ci: tuple[float, float] | None = None

    @property
    def level_means(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.values.mean(axis=1))

    @property
    def direction_ok(self) -> bool:
        if self.claim.expected == "greater":
            return bool(self.mean > self.claim.margin)
        return bool(self.mean < self.claim.margin)

    @property
    def significant(self) -> bool:
        return bool(self.p_value < ALPHA)

    @property
    def reproduced(self) -> bool:
        return self.direction_ok and self.significant

    @property
    def effect_size(self) -> tuple[float, float, float]:
        """(d, low, high): the mean contrast's distance from the margin in the expected
        direction, over the contrasts' standard deviation (Cohen's d_z), with the 95% CI
        on the same scale. Positive: the expected direction."""
        sd = float(np.std(self.contrasts, ddof=1)) if self.contrasts.size > 1 else 0.0
        if not sd > 0:
            return float("nan"), float("nan"), float("nan")
        sign = 1.0 if self.claim.expected == "greater" else -1.0
        margin = self.claim.margin
        ends = sorted((c - margin) * sign / sd for c in self.ci)
        return (self.mean - margin) * sign / sd, ends[0], ends[1]

    def describe(self) -> str:
        """One line: the hypothesis, the mean contrast with its CI and the test."""
        low, high = self.ci
        verdict = "reproduced" if self.reproduced else "NOT reproduced"
        return (
            f"{self.claim.id}: {self.claim.statement()}; measured {self.mean:+.4g} "
            f"[95% CI {low:+.4g}, {high:+.4g}], {self.test} one-sided p = "
            f"{self.p_value:.2g} (n = {self.contrasts.size}): {verdict}"
        )

    def summary(self) -> dict[str, Any]:
        """A JSON-ready record of the claim and its outcome."""
        c = self.claim
        d, d_low, d_high = self.effect_size
        record = {
            "id": c.id,
            "essay": c.essay,
            "sentence": c.sentence,
            "quote": c.quote,
            "lever": c.lever,
            "levels": [
                {"name": level.name, "scenario": level.scenario, "overrides": list(level.overrides)}
                for level in c.levels
            ],
            "world": list(c.world),
            "kpi": c.kpi,
            "hypothesis": c.statement(),
            "expected": c.expected,
            "margin": c.margin,
            "hours": c.hours,
            "seeds": c.seeds,
            "n_pairs": int(self.contrasts.size),
            "level_means": dict(zip((lv.name for lv in c.levels), self.level_means, strict=True)),
            "contrast_mean": self.mean,
            "contrast_ci95": list(self.ci),
            "p_value": self.p_value,
            "test": self.test,
            "shapiro_p": self.shapiro_p,
            "effect_size_dz": d,
            "effect_size_ci95": [d_low, d_high],
            "reproduced": self.reproduced,
            "note": c.note,
        }
        if self.gap_closed is not None:
            record["gap_closed"] = self.gap_closed
            record["gap_closed_ci95"] = (
                None if self.gap_closed_ci is None else list(self.gap_closed_ci)
            )
        return record


def _gap_closed(
    values: np.ndarray, gap: tuple[int, int, int]
) -> tuple[float, tuple[float, float] | None]:
    """Share of the mean gap from level ``start`` to ``end`` that ``candidate`` closes,
    with a paired bootstrap 95% CI over seeds."""
    start, candidate, end = gap

    def ratio(v: np.ndarray) -> float:
        total = v[end].mean() - v[start].mean()
        return float((v[candidate].mean() - v[start].mean()) / total) if total else np.nan

    rng = np.random.default_rng(BASE_SEED)
    n = values.shape[1]
    samples = np.array([ratio(values[:, rng.integers(0, n, n)]) for _ in range(BOOTSTRAP)])
    samples = samples[np.isfinite(samples)]
    ci = (
        (float(np.percentile(samples, 2.5)), float(np.percentile(samples, 97.5)))
        if samples.size
        else None
    )
    return ratio(values), ci


def evaluate(claim: Claim, values: np.ndarray) -> ClaimOutcome:
    """Judge a claim from its (level, seed) matrix of KPI values.

    Seeds where a level's KPI is missing (nothing to measure) are left out.
    """
    values = np.asarray(values, float)
    values = values[:, np.all(np.isfinite(values), axis=0)]
    contrasts = np.asarray(claim.contrast, float) @ values
    estimate = mean_ci(contrasts)
    mean, ci = estimate.mean, estimate.interval
    p, test, shapiro = paired_test(contrasts, claim.margin, claim.expected)
    gap, gap_ci = _gap_closed(values, claim.gap) if claim.gap else (None, None)
    return ClaimOutcome(claim, values, contrasts, mean, ci, p, test, shapiro, gap, gap_ci)
