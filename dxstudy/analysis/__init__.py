"""Analyses on the tidy tables: pure functions from tables to tables (no files, no HTML).

leaders (who is ahead, 横展開), joint_actions (shared challenges → joint actions), national (the region
next to national figures), trends (what the previous year adds), proposals (the assembled draft and
the conclusion sentences), yoy/ (year over year); evidence, members and frames are their shared parts.
"""
