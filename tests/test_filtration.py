"""Each filtration strategy keeps exactly the responses its definition names."""
from collections import Counter

import numpy as np
import pytest

from trainers.filtration import filter_batch, filter_group, rank_weights

R = [0.3, 0.9, -0.5, 0.1, 0.6]     # best = 1, then 4, 0, 3; worst = 2


def keep(rewards, strategy, k=1, seed=0, **kw):
    kept, _, _ = filter_group(rewards, strategy, k, rng=np.random.default_rng(seed), **kw)
    return kept


def test_deterministic_strategies_on_distinct_rewards():
    assert sorted(keep(R, "none")) == [0, 1, 2, 3, 4]
    assert keep(R, "bon") == [1]
    assert keep(R, "bw") == [1, 2]
    assert keep(R, "top", k=2) == [1, 4]
    assert keep(R, "top_bott", k=2) == [1, 4, 3, 2]
    assert sorted(keep(R, "top_bott", k=3)) == [0, 1, 2, 3, 4]   # 2k >= N keeps all


def test_best_random_keeps_best_plus_one_uniform_other():
    others = Counter()
    for seed in range(400):
        kept = keep(R, "br", seed=seed)
        assert len(kept) == 2 and kept[0] == 1 and kept[1] != 1
        others[kept[1]] += 1
    assert set(others) == {0, 2, 3, 4}
    assert min(others.values()) > 60          # uniform over 4: ~100 each


def test_top_rand_keeps_top_k_plus_k_random_from_rest():
    for seed in range(50):
        kept = keep(R, "top_rand", k=2, seed=seed)
        assert kept[:2] == [1, 4]
        assert len(set(kept[2:])) == 2 and set(kept[2:]) <= {0, 2, 3}


def test_bon_k_is_fixed_to_one():
    assert keep(R, "bon", k=3) == [1]
    assert keep(R, "bw", k=3) == [1, 2]


def test_none_rewards_are_dropped_and_counted_never_zero():
    rewards = [None, 0.0, None, -1.0]
    assert keep(rewards, "bon") == [1]       # 0.0 beats -1.0; None is not a 0
    res = filter_batch([rewards], "bw")
    assert res.kept == [[1, 3]]
    assert res.stats.n_failed == 2 and res.stats.n_valid == 2
    assert filter_batch([[None, None]], "bw").kept == [[]]


def test_all_tied_binary_rewards_keep_two_at_random():
    seen = Counter()
    for seed in range(300):
        kept, tie_decided, all_tied = filter_group([1.0] * 4, "bw", rng=np.random.default_rng(seed))
        assert len(set(kept)) == 2 and all_tied
        seen[tuple(sorted(kept))] += 1
        kept_br = keep([0.0] * 4, "br", seed=seed)
        assert len(set(kept_br)) == 2
    assert len(seen) == 6                     # every pair of 4 shows up


def test_ties_broken_at_random_within_the_tied_best():
    counts = Counter(keep([1, 0, 1, 1, 0], "bon", seed=s)[0] for s in range(300))
    assert set(counts) == {0, 2, 3}
    bw = Counter(tuple(keep([1, 0, 1, 0], "bw", seed=s)) for s in range(300))
    assert all(a in (0, 2) and b in (1, 3) for a, b in bw)
    assert len(bw) == 4


def test_seeded_reproducibility():
    batch = [[1, 0, 1, 0, 1], [0.2, 0.2, 0.5, 0.1], [0, 0, 0]]
    a = filter_batch(batch, "br", seed=7).kept
    assert a == filter_batch(batch, "br", seed=7).kept
    assert any(filter_batch(batch, "br", seed=s).kept != a for s in range(8, 20))


def test_stats_kept_fraction_and_tie_rate():
    batch = [[1, 1, 0, 0], [0.9, 0.1, 0.5, 0.3], [0, 0, 0, 0]]
    res = filter_batch(batch, "bw")
    s = res.stats
    assert s.n_valid == 12 and s.n_kept == 6
    assert s.kept_fraction == pytest.approx(0.5)
    assert s.all_tied_rate == pytest.approx(1 / 3)
    # bw boundaries lie between ranks 0|1 and 2|3: tied in groups 0 and 2, not in group 1
    assert s.tie_rate == pytest.approx(2 / 3)
    assert filter_batch(batch, "none").stats.tie_rate == 0.0


def test_pow_drop_keeps_large_magnitude_rewards():
    # w = |r|^2 -> probabilities 1, 0.25, 0, 1 relative to max
    counts = Counter()
    for seed in range(400):
        kept = keep([1.0, 0.5, 0.0, -1.0], "pow", seed=seed)
        assert 2 not in kept and (0 in kept or 3 in kept)
        counts.update(kept)
    assert counts[0] + counts[3] > 700          # both extremes almost always kept
    assert 60 < counts[1] < 140                 # kept with p = 0.25
    assert sorted(keep([0.0, 0.0], "pow")) == [0, 1]


def test_rank_weights_match_paper_vectors():
    r = [5, 4, 3, 2, 1]
    np.testing.assert_allclose(rank_weights("bon", r), [1, 0, 0, 0, 0])
    np.testing.assert_allclose(rank_weights("br", r), [0.5, 0.125, 0.125, 0.125, 0.125])
    np.testing.assert_allclose(rank_weights("bw", r), [0.5, 0, 0, 0, 0.5])
    np.testing.assert_allclose(rank_weights("none", r), [0.2] * 5)
    np.testing.assert_allclose(rank_weights("top_bott", r, k=2), [0.25, 0.25, 0, 0.25, 0.25])
    np.testing.assert_allclose(rank_weights("pow", [2.0, 1.0, -1.0], pow_exponent=2), [4 / 6, 1 / 6, 1 / 6])


def test_resample_mode_keeps_batch_size_and_draws_from_mu():
    rewards = [[0.3, 0.9, -0.5, 0.1, 0.6]] * 2000
    res = filter_batch(rewards, "bw", mode="resample", seed=3)
    assert all(len(k) == 5 for k in res.kept)
    counts = Counter(i for k in res.kept for i in k)
    assert set(counts) == {1, 2}                              # only best and worst can be drawn
    assert counts[1] / (counts[1] + counts[2]) == pytest.approx(0.5, abs=0.02)
    br = Counter(i for k in filter_batch(rewards, "br", mode="resample", seed=3).kept for i in k)
    assert br[1] / sum(br.values()) == pytest.approx(0.5, abs=0.02)
    assert br[0] / sum(br.values()) == pytest.approx(0.125, abs=0.01)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown filtration strategy"):
        filter_batch([[1.0]], "best")
    with pytest.raises(ValueError, match="mode"):
        filter_batch([[1.0]], "bw", mode="shrink")
