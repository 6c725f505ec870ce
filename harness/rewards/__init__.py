"""Verdicts as rewards: CodeReward (TRL contract), trainer inputs, veRL/OpenRLHF adapters and the HTTP service.

    from harness.rewards import CodeReward
"""
from harness.rewards.code_reward import (MODES, CodeReward, GroupScore, PreparedBatch, RewardBatch, ShapedValues,
                                         group_scores)

__all__ = ["MODES", "CodeReward", "GroupScore", "PreparedBatch", "RewardBatch", "ShapedValues", "group_scores"]
