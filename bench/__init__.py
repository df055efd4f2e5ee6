"""Benchmarks (bench-only code: never imported by the product)."""
