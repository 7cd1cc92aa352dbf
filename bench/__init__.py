"""The benchmark harness behind ``make bench``: how fast and how lean the pipeline is at size.

It serves a sandbox seller of a named size (``sandbox.generator.PRESETS``) from a child process
with every page pre-rendered, lands every stream through the real connectors, builds the marts
with dbt, runs the checks and publishes, one stage at a time, and prints for each stage its wall
time, rows, rows per second and peak memory. Beside it, on the same pages: DuckDB's own JSON/CSV
reader loading the pages saved to disk (the limit), dlt's REST API source loading the same
endpoints (the peer), and the sandbox server alone (to show it is not what is measured). It is a
benchmark, not a test: nothing here asserts a time.
"""
