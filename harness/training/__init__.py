"""The glue between harness and trainers: training data specs, verdict rewards and scores, pass@1 between steps."""
