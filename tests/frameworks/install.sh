#!/usr/bin/env sh
# The RL frameworks whose own reward code tests/test_frameworks_reward.py drives. Their full
# installs pull vLLM, Ray, DeepSpeed and flash-attn; their reward paths need only the packages
# below, so the frameworks install without dependencies. Pass pip options through (e.g. --target DIR).
set -eu
pip install -q --no-deps "$@" verl==0.9.1 openrlhf==0.11.2 tensordict==0.15.3
pip install -q "$@" omegaconf pyvers orjson cloudpickle aiohttp pylatexenc sympy codetiming
# The parity tests' peer EvalPlus (tests/parity/peers.py): its loaders, ground truth and
# check_correctness need only these; its generation backends (openai, anthropic, google) are not used.
pip install -q --no-deps "$@" evalplus==0.3.1
pip install -q "$@" appdirs wget tempdir multipledispatch termcolor fire rich "tree-sitter>=0.22" "tree-sitter-python>=0.21"
