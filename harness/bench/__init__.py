"""Benchmarks (`codeharness bench*`): throughput, reward latency, Ray overhead, generation and training speed, as ratios to an anchor."""
