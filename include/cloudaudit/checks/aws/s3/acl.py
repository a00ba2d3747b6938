"""The Detail sentence shared by the bucket and object ACL checks."""

from __future__ import annotations

from cloudaudit.checks.aws.s3.facts import S3BucketFacts, S3ObjectFacts


def acl_detail(row: S3BucketFacts | S3ObjectFacts) -> str:
    if row.acl_public:
        note = ""
        if row.acl_public_read is False:  # S3 calls it public; PII_EXPOSURE does not count it
            note = " (no READ or FULL_CONTROL: the public cannot read the data)"
        return f"ACL of {row.resource} grants {row.acl_public_grants}{note}"
    if row.acl_neutralised_by and row.acl_public_grants:
        return f"ACL of {row.resource} grants {row.acl_public_grants}, neutralised by {row.acl_neutralised_by}"
    if row.acl_public is None:
        return f"ACL of {row.resource} could not be read or Block Public Access is unknown: {row.unreadable or 'not recorded'}"
    if row.acl_neutralised_by:
        return f"ACL of {row.resource} not read, but it cannot take effect: {row.acl_neutralised_by}"
    return f"ACL of {row.resource} grants no public group"
