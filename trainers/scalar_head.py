"""A causal-LM backbone with a scalar head: the critic (a value per position) and the reward
model (one score per sequence) are both this."""
from __future__ import annotations

import json
import os

import torch
from torch import nn

HEAD_FILE = "scalar_head.pt"
META_FILE = "scalar_head.json"


class ScalarHeadModel(nn.Module):
    """backbone(input) -> last hidden state -> Linear(hidden, 1) per position."""

    def __init__(self, backbone, squash: str = "none"):
        super().__init__()
        self.backbone = backbone
        hidden = backbone.config.hidden_size if hasattr(backbone.config, "hidden_size") else backbone.config.n_embd
        self.head = nn.Linear(hidden, 1)
        nn.init.normal_(self.head.weight, std=1.0 / (hidden + 1) ** 0.5)
        nn.init.zeros_(self.head.bias)
        self.squash = squash            # "none" | "tanh"

    def forward(self, input_ids, attention_mask=None, position_ids=None, raw: bool = False) -> torch.Tensor:
        """Scalars per position; raw=True skips the squash (training on pre-tanh logits avoids saturation)."""
        out = self.backbone(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                            output_hidden_states=True)
        values = self.head(out.hidden_states[-1].to(self.head.weight.dtype)).squeeze(-1)
        return torch.tanh(values) if self.squash == "tanh" and not raw else values

    def save_pretrained(self, path: str) -> None:
        self.backbone.save_pretrained(path)
        torch.save(self.head.state_dict(), os.path.join(path, HEAD_FILE))
        with open(os.path.join(path, META_FILE), "w", encoding="utf-8") as fh:
            json.dump({"squash": self.squash}, fh)

    @classmethod
    def from_pretrained(cls, path: str, squash: str | None = None) -> "ScalarHeadModel":
        """Load a saved ScalarHeadModel, or wrap a plain causal LM with a fresh head."""
        from transformers import AutoModelForCausalLM

        meta_path = os.path.join(path, META_FILE)
        meta = json.load(open(meta_path, encoding="utf-8")) if os.path.exists(meta_path) else {}
        model = cls(AutoModelForCausalLM.from_pretrained(path), squash=squash or meta.get("squash", "none"))
        head_path = os.path.join(path, HEAD_FILE)
        if os.path.exists(head_path):
            model.head.load_state_dict(torch.load(head_path, map_location="cpu"))
        return model


def position_ids_from_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """Positions count real tokens only, so left padding does not shift them."""
    return (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
