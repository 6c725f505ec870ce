"""codeharness: schedule samples, judge them, aggregate, and expose the CLI and reward API."""


def evaluate(*args, **kwargs):
    """Score samples against a benchmark; see harness.core.evaluation.evaluate."""
    from harness.core.evaluation import evaluate as _evaluate

    return _evaluate(*args, **kwargs)


__all__ = ["evaluate"]
