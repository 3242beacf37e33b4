"""Analyses on the tidy tables: comparisons, proposals, year over year. Pure functions from tables to tables."""
