"""The report reader: a report file (Markdown/text) → statements with provenance, meetings, document facts."""
