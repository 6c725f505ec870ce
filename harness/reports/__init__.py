"""Reports over evaluated runs: side-by-side tables, report.md, CSV and plots."""
