"""On top of the stages: one cycle's steps, the per-page worker function, the batch loop, backfill."""
