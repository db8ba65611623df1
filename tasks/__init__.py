"""Building blocks of the pipeline: one module per stage, plain functions Prefect does not know."""
