"""Analysis of case records: summaries, confidence intervals, paired comparisons, warm-up and
queueing theory. Nothing here knows the model: it reads tables of case records (a DataFrame
with the columns of ``cases.parquet``: replication, case_type, t_report, response_h, resolved,
deadline_met, in_warmup, ...)."""
