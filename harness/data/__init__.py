"""Dataset tools that run code in the sandbox: synthesizing atomic/synthetic datasets, checking a benchmark's references."""
