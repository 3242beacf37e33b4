"""Japanese text at the edges: NFKC normalisation that keeps the original, and era (和暦) dates in both directions."""
