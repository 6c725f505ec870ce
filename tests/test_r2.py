"""R^2 diagnostic on synthetic reward/score data whose R^2 is known in closed form."""
import math

import numpy as np
import pytest

from trainers.r2 import diagnose_r2, diagnose_r2_from_model, r_squared

# Four reward levels, one per bin of [0.1, 0.85] cut in 4: bin means of score 0, 1, 0, 1.
LEVELS = [0.1, 0.35, 0.6, 0.85]
SCORES = [0.0, 1.0, 0.0, 1.0]


def test_r_squared_closed_form():
    # x=[.1,.35,.6,.85], y=[0,1,0,1]: Sxy=.25, Sxx=.3125, Syy=1 -> R^2 = .0625/.3125 = .2
    r2, slope, intercept = r_squared(LEVELS, SCORES)
    assert r2 == pytest.approx(0.2)
    assert slope == pytest.approx(0.25 / 0.3125)
    assert math.isnan(r_squared([1.0], [2.0])[0])
    assert r_squared([0, 1, 2], [1, 3, 5])[0] == pytest.approx(1.0)


def test_known_r2_per_strategy():
    # 50 prompts, each with the four levels in a shuffled order (filtration must not care).
    rng = np.random.default_rng(0)
    rewards, scores = [], []
    for _ in range(50):
        order = rng.permutation(4)
        rewards.append([LEVELS[i] for i in order])
        scores.append([SCORES[i] for i in order])
    table = diagnose_r2(rewards, scores, ["none", "bon", "br", "bw"], n_bins=4, seed=1)
    assert table.loc["none", "r2"] == pytest.approx(0.2)
    assert table.loc["br", "r2"] == pytest.approx(0.2)        # best + random: same bin means
    assert table.loc["bw", "r2"] == pytest.approx(1.0)        # two bins: (.1, 0) and (.85, 1)
    assert math.isnan(table.loc["bon", "r2"])                 # one bin: a line is undefined
    assert table.loc["none", "n_kept"] == 200 and table.loc["bw", "n_kept"] == 100
    assert table.loc["br", "n_bins_used"] == 4 and table.loc["bw", "n_bins_used"] == 2
    assert table.loc["bon", "mean_score"] == pytest.approx(1.0)


def test_extremes_reliable_middle_noisy_ranks_bw_first():
    # Reward model reliable where it is confident (|r| > .5), noise in the middle: the paper's
    # observation. BW keeps mostly extreme rewards so its R^2 beats no filtering.
    rng = np.random.default_rng(0)
    middle_bias = rng.uniform(0, 1, size=10)
    rewards, scores = [], []
    for _ in range(400):
        r = rng.uniform(-1, 1, size=8)
        bin_of = np.minimum(((r + 1) / 0.2).astype(int), 9)
        p = np.where(np.abs(r) > 0.5, (r + 1) / 2, middle_bias[bin_of])
        rewards.append(list(r))
        scores.append(list((rng.uniform(size=8) < p).astype(float)))
    table = diagnose_r2(rewards, scores, ["none", "bw", "bon"], n_bins=10)
    assert table.loc["bw", "r2"] > table.loc["none", "r2"] + 0.1
    assert table.loc["bw", "r2"] > table.loc["bon", "r2"] + 0.1


def test_binary_reward_equal_to_score_is_trivially_one():
    rng = np.random.default_rng(0)
    r = [list((rng.uniform(size=6) < 0.4).astype(float)) for _ in range(100)]
    table = diagnose_r2(r, r, ["none", "br", "bw"], n_bins=10)
    assert (table["r2"] == 1.0).all()


def test_none_samples_are_excluded():
    rewards = [[0.0, 1.0, None], [0.0, 0.5, 1.0]]
    scores = [[0.0, 1.0, 1.0], [0.0, None, 1.0]]
    table = diagnose_r2(rewards, scores, ["none"], n_bins=2)
    assert table.loc["none", "n_kept"] == 4
    assert table.loc["none", "r2"] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        diagnose_r2([[1.0]], [[1.0, 2.0]])


def test_from_model_with_injected_callables():
    prompts = ["p0", "p1", "p2"]
    seen = {}

    def generate(ps, n):
        return [[f"{p}:{i}" for i in range(n)] for p in ps]

    def reward(ps, cs, task_id):
        seen["task_id"] = task_id
        return [int(c.split(":")[1]) / 3 for c in cs]

    def score(ps, cs, task_id):
        return [1.0 if int(c.split(":")[1]) >= 2 else 0.0 for c in cs]

    table = diagnose_r2_from_model(prompts, generate, reward, score, n_samples=4, strategies=["none", "bw"],
                                   n_bins=4, columns={"task_id": ["a", "b", "c"]})
    assert seen["task_id"] == ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    direct = diagnose_r2([[i / 3 for i in range(4)]] * 3, [[0.0, 0.0, 1.0, 1.0]] * 3, ["none", "bw"], n_bins=4)
    assert table["r2"].tolist() == pytest.approx(direct["r2"].tolist())
    assert table.loc["bw", "r2"] == pytest.approx(1.0)
