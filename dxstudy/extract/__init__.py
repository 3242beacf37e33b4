"""Quantities and dated events found in the statements (metrics, events), each with its evidence sentence."""
