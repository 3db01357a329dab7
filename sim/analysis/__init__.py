"""Analysis of case records: summaries, confidence intervals, paired comparisons, warm-up and
queueing theory. Nothing here knows the model: it reads tables with the columns of
``CaseRecords``."""
