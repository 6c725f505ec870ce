"""`python -m harness.cli ...` (what `accelerate launch -m` and `torchrun -m` run)."""
import sys

from harness.cli.commands import main

sys.exit(main())
