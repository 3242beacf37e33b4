"""What a reader sees: Japanese labels, charts, HTML tables for the notebooks, and the HTML export of reports."""
