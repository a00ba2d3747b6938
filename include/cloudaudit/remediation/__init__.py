"""Guarded remediation: fixes proposed from published findings, approved by a person, applied
with the fixer's own least-privilege credentials, confirmed by a re-scan, signed into a bundle.

    catalog    the fix kinds (what changes, what may break, permissions): pure
    model      Fix, Proposal, Result and their vocabularies
    fixers/    the only cloud I/O: read a resource's state, write a new one (aws, gcp)
    published  the findings, from the verified evidence bundle
    workflow   one function per task of cloudaudit_remediate: targets, propose, apply, confirm
    rescan     confirmation with the collector and the finding's own check
    bundle     remediation_<CC>_<D>.zip (the evidence bundle's format, signed)
"""

from __future__ import annotations
