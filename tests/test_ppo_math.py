"""PPO math against numbers worked out by hand (see the comments for the arithmetic)."""
import math

import pytest
import torch

from trainers import ppo_math as pm


def t(x):
    return torch.tensor(x, dtype=torch.float32)


def test_gae_hand_computed_with_padding():
    # gamma=1, lam=0.5. Row 0: deltas 0.1, 0.1, 0.3 -> A2=.3, A1=.1+.5*.3=.25, A0=.1+.5*.25=.225
    # Row 1: last token is padding (its reward/value 9 must be ignored): A1=1-.6=.4, A0=.1+.5*.4=.3
    rewards = t([[0, 0, 1], [0, 1, 9]])
    values = t([[0.5, 0.6, 0.7], [0.5, 0.6, 9]])
    mask = t([[1, 1, 1], [1, 1, 0]])
    adv, ret = pm.gae_advantages(rewards, values, mask, gamma=1.0, lam=0.5)
    assert torch.allclose(adv, t([[0.225, 0.25, 0.3], [0.3, 0.4, 0.0]]))
    assert torch.allclose(ret, t([[0.725, 0.85, 1.0], [0.8, 1.0, 0.0]]))


def test_gae_lambda_one_is_monte_carlo_return_minus_value():
    rewards, values, mask = t([[0.2, 0.0, 1.0]]), t([[0.3, 0.1, 0.4]]), t([[1, 1, 1]])
    adv, ret = pm.gae_advantages(rewards, values, mask, gamma=1.0, lam=1.0)
    assert torch.allclose(ret, t([[1.2, 1.0, 1.0]]))
    assert torch.allclose(adv, t([[0.9, 0.9, 0.6]]))


def test_whiten_ignores_padding():
    x, mask = t([1, 2, 3, 100]), t([1, 1, 1, 0])
    assert torch.allclose(pm.whiten(x, mask), t([-1, 0, 1, 0]), atol=1e-6)
    assert torch.allclose(pm.whiten(x, mask, shift_mean=False), t([1, 2, 3, 0]), atol=1e-6)


def test_token_rewards_put_score_on_last_real_token():
    r = pm.token_rewards(t([1.0]), t([[0.1, 0.2, 0.3, 0.7]]), 0.5, t([[1, 1, 1, 0]]))
    assert torch.allclose(r, t([[-0.05, -0.1, 0.85, 0.0]]))


def test_policy_loss_clipping_positive_and_negative_advantage():
    old = t([[0.0, 0.0]])
    new = torch.log(t([[1.5, 0.5]]))
    mask = t([[1, 1]])
    # A=+1: min(1.5, 1.2)=1.2 and min(0.5, 0.8)=0.5 -> loss -(1.2+0.5)/2 = -0.85
    loss, info = pm.policy_loss(new, old, t([[1.0, 1.0]]), mask, 0.2)
    assert loss.item() == pytest.approx(-0.85)
    assert info["clipfrac"].item() == pytest.approx(0.5)
    # k3 approx KL: ((1.5-1) - ln 1.5 + (0.5-1) - ln 0.5) / 2
    assert info["approx_kl"].item() == pytest.approx((0.5 - math.log(1.5) - 0.5 - math.log(0.5)) / 2, rel=1e-5)
    # A=-1: pessimistic side is max(1.5, 1.2) and max(0.5, 0.8) -> (1.5 + 0.8) / 2
    loss, info = pm.policy_loss(new, old, t([[-1.0, -1.0]]), mask, 0.2)
    assert loss.item() == pytest.approx(1.15)
    assert info["clipfrac"].item() == pytest.approx(0.5)


def test_policy_loss_gradient_vanishes_outside_trust_region():
    new = torch.log(t([[1.5]])).requires_grad_()
    loss, _ = pm.policy_loss(new, t([[0.0]]), t([[1.0]]), t([[1.0]]), 0.2)
    loss.backward()
    assert new.grad.abs().item() == 0.0


def test_value_loss_clipped():
    # V=[1,0], V_old=[.5,.5], R=[1,1], eps=.2 -> clipped V=[.7,.3]; errs [0,1] vs [.09,.49]
    # max -> [.09, 1]; 0.5 * mean = 0.2725
    loss, info = pm.value_loss(t([[1.0, 0.0]]), t([[0.5, 0.5]]), t([[1.0, 1.0]]), t([[1, 1]]), 0.2)
    assert loss.item() == pytest.approx(0.2725)
    assert info["vf_clipfrac"].item() == pytest.approx(0.5)


def test_kl_estimators():
    logp, ref = t([0.0]), t([math.log(2.0)])
    assert pm.kl_k1(logp, ref).item() == pytest.approx(-math.log(2.0))
    assert pm.kl_k3(logp, ref).item() == pytest.approx(2 - 1 - math.log(2.0))
    assert pm.kl_k3(ref, ref).item() == 0.0


def test_k1_and_k3_agree_in_expectation():
    torch.manual_seed(0)
    p = torch.softmax(t([0.0, 1.0, 2.0]), 0)
    q = torch.softmax(t([1.0, 0.5, 0.0]), 0)
    true_kl = (p * (p.log() - q.log())).sum().item()
    ys = torch.multinomial(p, 200000, replacement=True)
    k1 = pm.kl_k1(p.log()[ys], q.log()[ys]).mean().item()
    k3 = pm.kl_k3(p.log()[ys], q.log()[ys]).mean().item()
    assert k1 == pytest.approx(true_kl, abs=0.01)
    assert k3 == pytest.approx(true_kl, abs=0.01)


def test_entropy_from_logits():
    assert pm.entropy_from_logits(t([0.0, 0.0, 0.0, 0.0])).item() == pytest.approx(math.log(4))
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert pm.entropy_from_logits(t([[0.0, math.log(3.0)]])).item() == pytest.approx(h, rel=1e-5)
    assert pm.entropy_from_logits(t([1000.0, 0.0])).item() == pytest.approx(0.0, abs=1e-6)


def test_explained_variance():
    y, mask = t([[1.0, 2.0, 3.0, 50.0]]), t([[1, 1, 1, 0]])
    assert pm.explained_variance(y, y, mask) == pytest.approx(1.0)
    assert pm.explained_variance(t([[2.0, 2.0, 2.0, 0.0]]), y, mask) == pytest.approx(0.0, abs=1e-6)
    assert pm.explained_variance(t([[3.0, 2.0, 1.0, 0.0]]), y, mask) == pytest.approx(-3.0)


def test_adaptive_kl_controller():
    c = pm.AdaptiveKLController(0.1, target=6.0, horizon=100)
    c.update(12.0, n_steps=10)       # error clipped to +0.2 -> beta * (1 + 0.2 * 0.1)
    assert c.value == pytest.approx(0.102)
    c.update(6.0, n_steps=10)
    assert c.value == pytest.approx(0.102)
    c.update(0.0, n_steps=10)        # error clipped to -0.2
    assert c.value == pytest.approx(0.102 * 0.98)
    f = pm.FixedKLController(0.05)
    f.update(100.0, 10)
    assert f.value == 0.05
