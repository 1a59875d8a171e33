"""Drives the local ECS endpoint with boto3 and prints what boto3 saw, as one JSON object.

Usage: boto3_check.py <endpoint-url> <command for the task, as a JSON array>
Run by boto3-compat.test.ts; every value printed is what botocore parsed from the wire.
"""
import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
            "requestId": e.response["ResponseMetadata"].get("RequestId"),
        }
    return None


def wait_for_status(ecs, arn, status, timeout_s=10):
    """Polls DescribeTasks until the task's lastStatus is `status` (or the timeout); returns the last task."""
    deadline = time.time() + timeout_s
    while True:
        described = ecs.describe_tasks(tasks=[arn])["tasks"][0]
        if described["lastStatus"] == status or time.time() > deadline:
            return described
        time.sleep(0.01)


def main():
    url, command = sys.argv[1], json.loads(sys.argv[2])
    ecs = boto3.client(
        "ecs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    out = {}

    run = ecs.run_task(
        taskDefinition="airflow",
        startedBy="boto3",
        overrides={"containerOverrides": [{"name": "airflow", "command": command}]},
    )
    task = run["tasks"][0]
    arn = task["taskArn"]
    out["run"] = {
        "taskArn": arn,
        "lastStatus": task["lastStatus"],
        "createdAtType": type(task["createdAt"]).__name__,
        "failures": run["failures"],
        "requestId": run["ResponseMetadata"].get("RequestId"),
    }

    described = wait_for_status(ecs, arn, "RUNNING")
    out["running"] = {"lastStatus": described["lastStatus"], "startedAtType": type(described.get("startedAt")).__name__}

    stopped = ecs.stop_task(task=arn, reason="stopped by boto3")["task"]
    out["stop"] = {"desiredStatus": stopped["desiredStatus"], "stopCode": stopped.get("stopCode")}

    described = wait_for_status(ecs, arn, "STOPPED")
    out["stopped"] = {
        "lastStatus": described["lastStatus"],
        "stopCode": described.get("stopCode"),
        "stoppedReason": described.get("stoppedReason"),
        "exitCode": described["containers"][0].get("exitCode"),
        "stoppedAtType": type(described.get("stoppedAt")).__name__,
    }

    out["missing"] = ecs.describe_tasks(tasks=["b" * 32])["failures"]
    out["listed"] = ecs.list_tasks(desiredStatus="STOPPED", startedBy="boto3")["taskArns"]
    out["clusters"] = ecs.describe_clusters(clusters=["default", "ghost"])
    out["clusters"] = {
        "names": [c["clusterName"] for c in out["clusters"]["clusters"]],
        "failures": out["clusters"]["failures"],
    }
    out["errors"] = {
        "stopUnknown": error_of(lambda: ecs.stop_task(cluster="default", task="a" * 32)),
        "runUnknownCluster": error_of(lambda: ecs.run_task(cluster="ghost", taskDefinition="airflow")),
        "describeTooMany": error_of(lambda: ecs.describe_tasks(tasks=["%032x" % i for i in range(101)])),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
