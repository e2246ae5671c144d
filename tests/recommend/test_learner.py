"""The learner's posterior: kept exact by rank-one updates, draws spread as it says."""

from __future__ import annotations

import numpy as np

from moodplayer.recommend import learner as lrn


def _trained(n: int) -> tuple[lrn.Learner, np.ndarray]:
    rng = np.random.default_rng(3)
    learner = lrn.Learner()
    truth = rng.normal(size=len(lrn.TRACK_FEATURES))
    context = lrn.context_vector("sad", -0.6, -0.4)
    for _ in range(n):
        x = rng.normal(size=len(lrn.TRACK_FEATURES))
        learner.update(context, x, float(x @ truth + rng.normal(0, 0.3)))
    return learner, truth


def test_rank_one_updates_match_the_exact_posterior():
    learner, truth = _trained(300)
    np.testing.assert_allclose(learner.covariance, np.linalg.inv(learner.precision),
                               atol=1e-9)
    restored = lrn.Learner(None, learner.precision.copy(), learner.moment.copy(), learner.n)
    np.testing.assert_allclose(restored.mean, learner.mean, atol=1e-9)
    learned = learner.track_weights(lrn.context_vector("sad", -0.6, -0.4))
    assert np.corrcoef(learned, truth)[0, 1] > 0.95  # it found what this user answers


def test_exploration_draws_scatter_around_the_mean_and_shrink_with_evidence():
    context = lrn.context_vector("sad", -0.6, -0.4)
    rng = np.random.default_rng(0)
    spreads = []
    for n in (5, 300):
        learner, _ = _trained(n)
        draws = np.array([learner.track_weights(context, rng, 1.0) for _ in range(400)])
        mean = learner.track_weights(context)
        assert np.abs(draws.mean(axis=0) - mean).max() < 0.25
        spreads.append(draws.std(axis=0).mean())
        assert (learner.track_weights(context, rng, 0.0) == mean).all()
    assert spreads[1] < spreads[0] / 3
