"""Migrating an archived blog to another WordPress: push, then verify.

push.py runs the phases (authors, terms, media, pages, posts, comments); each kind's
carrier (authors.py, terms.py, media.py, posts.py, comments.py) says how its items go, and
plan.py holds the one decision they all go through (unchanged / update / match / create).
runner.py sends the writes, idmap.py remembers source -> target ids in the archive,
target.py connects and indexes what the target has, addresses.py says where things are now,
rules.py holds what push and verify.py agree on, report.py what a push reports.
"""
