"""Training loops that learn from execution verdicts. Heavy (torch); `harness` never imports this
package at import time.

  ppo_math      GAE, clipped policy/value losses, KL estimators, KL controllers
  filtration    PF-PPO policy filtration strategies (none, bon, br, bw, top, top_rand, top_bott, pow)
  r2            R^2 diagnostic for choosing a filtration strategy (PF-PPO Table 1)
  config        SFTConfig, PPOConfig, RMConfig + load_config(cls, yaml_path, overrides)
  sft           supervised fine-tuning loop
  reward_model  Bradley-Terry reward model on execution-labelled pairs
  rollout       sampling N completions per prompt and the forward passes PPO needs
  ppo           the PPO / PF-PPO trainer
"""
