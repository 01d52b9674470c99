"""The Python caller CI runs (test/callers): recovers the job IDs given as arguments through the package's
worker, abandons the jobs that get escalated, and prints what happened as one JSON line. Connection and task
queues come from the same variables the worker reads: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TENCENT_BATCH_RECOVERY_TASK_QUEUE, ..._RETRY_TASK_QUEUE, ..._DESCRIBE_TASK_QUEUE."""

import asyncio
import json
import os
import sys

from temporalio.client import Client
from temporalio.service import RPCError

import recovery


async def main(job_ids: list[str]) -> None:
    client = await Client.connect(
        os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"),
        namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
    )
    task_queue = os.environ.get("TENCENT_BATCH_RECOVERY_TASK_QUEUE", recovery.TASK_QUEUE)
    recovery_input = {
        "jobIds": job_ids,
        "label": "python-caller",
        "policy": {
            "pollInterval": "1s",
            "maxRetriesPerJob": 2,
            "backoff": {"initialInterval": "500ms", "maxInterval": "1s", "jitter": 0},
            "retryRules": [{"onExitCode": "2", "action": "ESCALATE"}],
        },
        "taskQueues": {
            "retry": os.environ.get("TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE", "tencent-batch-recovery-retry"),
            "describe": os.environ.get("TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE", "tencent-batch-recovery-describe"),
        },
    }
    first = await recovery.start_recovery(client, recovery_input, task_queue)
    joined = await recovery.start_recovery(client, recovery_input, task_queue)  # joins the running recovery

    # Wait for the escalation. A query fails while no worker polls the queue (e.g. one is starting): ask again
    # until the overall timeout (see the end of this file) cancels the wait.
    while True:
        try:
            status = await recovery.query_status(first)
            if status["overall"] == "AWAITING_DECISION":
                break
        except RPCError as err:
            print(f"status not available yet: {err}", file=sys.stderr)
        await asyncio.sleep(0.5)
    escalated = [job["jobId"] for job in status["jobs"] if job["phase"] == "AWAITING_DECISION"]
    decided = await recovery.resolve_escalation(
        first, {"decision": "ABANDON", "jobIds": escalated, "operator": "ci", "note": "exit code 2: bad input"}
    )
    result = await recovery.recovery_result(first)
    again = await recovery.start_recovery(client, recovery_input, task_queue)  # the completed run, nothing new

    print(json.dumps({
        "workflowId": first.id,
        "runIds": [first.result_run_id, joined.result_run_id, again.result_run_id],
        "awaitingDecision": escalated,
        "decided": decided,
        "result": result,
    }))


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(sys.argv[1:]), timeout=120))
    # A short-lived client process can abort in interpreter finalization, after its work is done, when the SDK's
    # runtime threads touch the GIL (temporalio/sdk-python#300; seen once in CI): everything is written, so leave
    # without finalizing. A failure above raises before this line and exits non-zero as usual.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
