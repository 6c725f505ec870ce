import pytest

from harness.errors import UserError
from trainers.config import PPOConfig, RMConfig, SFTConfig, load_config, parse_overrides


def test_defaults_follow_the_paper():
    cfg = PPOConfig()
    assert cfg.policy_lr == 5e-7 and cfg.critic_lr == 9e-6
    assert cfg.gamma == 1.0 and cfg.lam == 0.95 and cfg.clip_range == 0.2


def test_yaml_then_overrides(tmp_path):
    p = tmp_path / "ppo.yaml"
    p.write_text("policy_lr: 5e-6\nfilter_strategy: br\nsamples_per_prompt: 8\n")
    cfg = load_config(PPOConfig, str(p), {"samples_per_prompt": "16", "adaptive_kl": "true", "kl_coef": 1})
    assert cfg.policy_lr == 5e-6 and cfg.filter_strategy == "br"
    assert cfg.samples_per_prompt == 16 and cfg.adaptive_kl is True and cfg.kl_coef == 1.0
    assert load_config(SFTConfig, None, {"lr": "3e-4"}).lr == 3e-4


def test_errors_name_file_and_field(tmp_path):
    p = tmp_path / "rm.yaml"
    p.write_text("lr: 1e-5\nlearning_rate: 3\n")
    with pytest.raises(UserError, match=r"rm\.yaml: unknown RMConfig field 'learning_rate'"):
        load_config(RMConfig, str(p))
    with pytest.raises(UserError, match="override 'batch_size': expected int"):
        load_config(RMConfig, None, {"batch_size": "eight"})
    p.write_text("lr: [1\n")
    with pytest.raises(UserError, match="invalid YAML"):
        load_config(RMConfig, str(p))
    with pytest.raises(UserError, match="cannot read"):
        load_config(RMConfig, str(tmp_path / "missing.yaml"))


def test_parse_overrides_from_cli():
    cfg = load_config(PPOConfig, None, parse_overrides(["filter_strategy=br", "policy_lr = 1e-6"]))
    assert cfg.filter_strategy == "br" and cfg.policy_lr == 1e-6
    with pytest.raises(UserError, match="expected key=value"):
        parse_overrides(["policy_lr"])
