"""Records export, transparency statistics and charts.

Everything here reads with SQL aggregation or streamed rows: a report over 100,000 cases
never holds every case in memory. Synthetic cases (`Case.synthetic`) are never counted,
except when a benchmark asks for them explicitly (`include_synthetic=True`).
"""
