"""The breaker: an endpoint that stops answering mid-run costs a few calls, not all of them."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import EndpointConnectionError

from cloudaudit.collectors.aws.breaker import Breaker, EndpointStoppedAnswering
from cloudaudit.collectors.aws.s3.buckets import read_bucket_config
from cloudaudit.collectors.aws.session import connect
from cloudaudit.config import Environment, Limits


def test_requests_stop_after_the_threshold_and_reasons_say_why(unreachable_url: str) -> None:
    env = Environment(name="dying", country="JP", provider="aws", account_id="111111111111",
                      endpoint_url=unreachable_url)
    clients = connect(env, Limits(call_timeout_s=1))  # builds clients only: nothing is sent yet
    clients.breaker.threshold = 6
    s3 = clients.s3()
    sent: list[str] = []
    s3.meta.events.register("before-send", lambda request, **_: sent.append(request.url))

    first = read_bucket_config(clients, "bucket-one", None)  # 7 calls x 2 attempts (AWS_MAX_ATTEMPTS)
    sent_before_open = len(sent)
    second = read_bucket_config(clients, "bucket-two", None)

    assert clients.breaker.open
    assert sent_before_open == 6  # the 6th failure opened it; nothing after reached the network
    assert len(sent) == sent_before_open
    assert first.read_errors["acl"] == "GetBucketAcl: EndpointConnectionError"
    assert first.read_errors["website"] == "GetBucketWebsite: EndpointStoppedAnswering"
    assert set(second.read_errors.values()) == {
        f"{op}: EndpointStoppedAnswering" for op in (
            "GetBucketAcl", "GetBucketPolicy", "GetBucketPolicyStatus", "GetPublicAccessBlock",
            "GetBucketOwnershipControls", "GetBucketEncryption", "GetBucketWebsite")}


def test_any_answer_resets_the_count() -> None:
    breaker = Breaker(threshold=3)
    failure = {"caught_exception": EndpointConnectionError(endpoint_url="http://127.0.0.1:9", error="refused")}
    answered: dict[str, Any] = {"response": ({}, {})}
    for outcome in (failure, failure, answered, failure, failure):
        breaker.observe(**outcome)
    assert not breaker.open
    breaker.observe(**failure)
    assert breaker.open
    breaker.observe(caught_exception=EndpointStoppedAnswering())  # its own refusals are not news
    breaker.observe(**answered)
    assert breaker.open  # once open, open for the rest of the run
