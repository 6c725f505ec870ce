"""The summary table `evaluate` prints: pass@k in %, one row per test group, difficulty, statuses."""
from harness.core.evaluation import format_summary


def test_summary_table_rows_and_numbers():
    text = format_summary({"benchmark": "humaneval-plus", "n_samples": 20, "n_problems": 2,
                           "pass_at_k": {"pass@1": 0.5, "pass@10": 0.987654},
                           "groups": {"base": {"pass@1": 0.5}, "plus": {"pass@1": 0.41234}},
                           "breakdown": {"difficulty": {"Easy": {"pass@1": 1 / 3, "n_problems": 1}}},
                           "status_counts": {"failed": 3, "passed": 5}})
    lines = text.splitlines()
    assert lines[0] == "humaneval-plus: 20 samples, 2 problems"
    assert lines[1].split() == ["pass@1", "pass@10"]
    assert lines[2].split() == ["all", "tests", "50.00", "98.77"]
    assert lines[4].split() == ["plus", "41.23", "-"]
    assert len({len(x) for x in lines[1:5]}) == 1          # columns aligned
    assert "Easy  0.3333           1" in text and lines[-1] == "status: failed=3, passed=5"


def test_summary_without_estimable_pass_at_k():
    text = format_summary({"benchmark": "b", "n_samples": 1, "n_problems": 1, "pass_at_k": {}, "status_counts": {}})
    assert "(no pass@k: fewer samples than k)" in text
