"""Benchmarks: speed and memory measured side by side in one run; not tests (`make bench`)."""
