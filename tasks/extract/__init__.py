"""Extract stage: decode a page, pull its article text and metadata, compute its dedupe keys and MinHash."""
