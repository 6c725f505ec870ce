"""Training configurations: one dataclass per trainer, defaults documented, loadable from YAML.

Learning rates: the PF-PPO paper trains 7B models with policy lr 5e-7 and critic lr 9e-6. Smaller
models tolerate larger steps; a rough guide is lr proportional to 1/sqrt(width): ~1e-6 to 3e-6 for
1B, ~1e-5 for ~100M, ~1e-3 for the 2-layer toy models the tests build.

`load_config(PPOConfig, "ppo.yaml", {"policy_lr": "1e-6"})` reads the YAML mapping, applies the
overrides (CLI flags; strings are parsed as YAML scalars and checked against the field type) and
rejects unknown keys with a message naming the file and the key.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, Optional, TypeVar, Union

import yaml

from harness.errors import UserError

T = TypeVar("T")


@dataclass
class SFTConfig:
    model_name_or_path: str = ""
    output_dir: str = "out/sft"
    seed: int = 0
    lr: float = 1e-5               # peak lr; 7B SFT typically 1e-5 to 2e-5
    weight_decay: float = 0.0
    warmup_steps: int = 0          # linear warm-up, then cosine decay to min_lr_ratio * lr
    min_lr_ratio: float = 0.1
    max_steps: int = 0             # optimizer steps; 0 = derive from num_epochs
    num_epochs: float = 1.0
    batch_size: int = 8            # sequences per micro-batch
    grad_accum_steps: int = 1      # effective batch = batch_size * grad_accum_steps
    max_seq_len: int = 1024
    packing: bool = False          # concatenate examples into max_seq_len blocks (no cross-example mask)
    bf16: bool = True              # autocast to bfloat16; only used on CUDA
    gradient_checkpointing: bool = False
    max_grad_norm: float = 1.0
    log_every: int = 10
    eval_every: int = 0            # 0 = never; else call eval_fn every N optimizer steps
    save_every: int = 0            # 0 = only at the end
    keep_checkpoints: int = 2
    resume: bool = True            # continue from the newest checkpoint-* in output_dir


@dataclass
class PPOConfig:
    model_name_or_path: str = ""
    ref_model_name_or_path: str = ""     # frozen KL reference; "" = same as model_name_or_path
    critic_model_name_or_path: str = ""  # "" = initialise the critic backbone from the policy
    output_dir: str = "out/ppo"
    seed: int = 0
    total_steps: int = 100               # rollout + update iterations
    prompts_per_step: int = 8
    samples_per_prompt: int = 4          # N responses per prompt before filtration
    max_new_tokens: int = 512
    temperature: float = 1.0
    top_p: float = 1.0
    policy_lr: float = 5e-7              # paper, 7B
    critic_lr: float = 9e-6              # paper, 7B
    ppo_epochs: int = 2                  # passes over the filtered rollouts per step
    minibatch_size: int = 8              # sequences per gradient step
    max_grad_norm: float = 1.0
    gamma: float = 1.0                   # GAE discount; 1 = no discount inside a response
    lam: float = 0.95                    # GAE lambda
    clip_range: float = 0.2              # PPO eq. 7 epsilon
    clip_range_value: float = 0.2
    vf_coef: float = 0.1                 # weight of the value loss when value_mode="shared"
    entropy_coef: float = 0.0
    whiten_advantages: bool = True
    kl_coef: float = 0.05                # initial beta of the per-token KL penalty
    kl_estimator: str = "k1"             # "k1" | "k3" (k3 is always >= 0, lower variance)
    adaptive_kl: bool = False            # Ziegler et al. adaptive controller
    kl_target: float = 6.0
    kl_horizon: int = 10000
    value_mode: str = "separate"         # "separate" critic model | "shared" head on the policy
    filter_strategy: str = "bw"          # none | bon | br | bw | top | top_rand | top_bott | pow
    filter_k: int = 1                    # k for top / top_rand / top_bott
    filter_mode: str = "drop"            # drop (paper) | resample (veRL: redraw to full size)
    pow_exponent: float = 2.0
    reward_source: str = "fn"            # "fn" (injected callable) | "rm" (reward model) | "mix"
    rm_weight: float = 0.5               # mix: r = (1 - rm_weight) * fn + rm_weight * rm
    bf16: bool = True                    # CUDA only
    gradient_checkpointing: bool = False
    log_every: int = 1
    save_every: int = 0
    eval_every: int = 0


@dataclass
class RMConfig:
    model_name_or_path: str = ""
    output_dir: str = "out/rm"
    seed: int = 0
    lr: float = 9e-6                 # as the paper's critic; scale up for small models
    weight_decay: float = 0.0
    num_epochs: float = 1.0
    batch_size: int = 8              # preference pairs per step
    max_seq_len: int = 1024
    margin_scale: float = 1.0        # BT logit = scale * (u_chosen - u_rejected), u = pre-tanh score
    max_pairs_per_prompt: int = 8
    bf16: bool = True
    gradient_checkpointing: bool = False
    max_grad_norm: float = 1.0
    log_every: int = 10


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _coerce(value: Any, typ: Any, where: str) -> Any:
    origin = typing.get_origin(typ)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(typ) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            return None
        typ = args[0]
    if isinstance(value, str) and typ is not str:
        value = yaml.safe_load(value)
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if typ is float and isinstance(value, str):
        try:
            return float(value)                  # YAML reads "5e-7" as a string
        except ValueError:
            pass
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        raise UserError(f"{where}: expected {typ.__name__}, got {value!r}")
    return value


def parse_overrides(items: list[str]) -> dict[str, str]:
    """CLI `--set key=value` items -> overrides dict (values stay strings; load_config types them)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set {item!r}: expected key=value")
        out[key.strip()] = value.strip()
    return out


def load_config(cls: type[T], yaml_path: Optional[str] = None, overrides: Optional[dict[str, Any]] = None) -> T:
    """Build `cls` from defaults <- YAML mapping <- overrides (later wins)."""
    fields = _field_types(cls)
    values: dict[str, Any] = {}
    if yaml_path:
        try:
            with open(yaml_path, encoding="utf-8") as fh:
                data = yaml.safe_load(fh) or {}
        except OSError as exc:
            raise UserError(f"{yaml_path}: cannot read config ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark else ""
            raise UserError(f"{yaml_path}:{line} invalid YAML") from None
        if not isinstance(data, dict):
            raise UserError(f"{yaml_path}: top level must be a mapping of {cls.__name__} fields")
        for key, value in data.items():
            if key not in fields:
                raise UserError(f"{yaml_path}: unknown {cls.__name__} field {key!r}")
            values[key] = _coerce(value, fields[key], f"{yaml_path}: field {key!r}")
    for key, value in (overrides or {}).items():
        if key not in fields:
            raise UserError(f"override: unknown {cls.__name__} field {key!r}")
        values[key] = _coerce(value, fields[key], f"override {key!r}")
    return cls(**values)
