"""Starts and drives tencent-batch-recovery's recoverBatchJobsWorkflow from Python, by name: the workflow runs
on the package's TypeScript worker; this side only needs temporalio from PyPI."""

import hashlib
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

# The recovery worker's workflow task queue (TENCENT_BATCH_RECOVERY_TASK_QUEUE on the worker).
TASK_QUEUE = "tencent-batch-recovery"


def recovery_workflow_id(job_ids: list[str]) -> str:
    """The documented ID of the recovery of a job set: one recovery per set, whatever the order."""
    digest = hashlib.sha256(",".join(sorted(set(job_ids))).encode()).hexdigest()[:16]
    return f"tencent-batch-recovery-{digest}"


async def start_recovery(client: Client, recovery_input: dict[str, Any], task_queue: str = TASK_QUEUE) -> WorkflowHandle:
    """Starts the recovery of recovery_input["jobIds"], or returns the run that already owns these jobs: a running
    one (conflict policy USE_EXISTING) or a completed one (reuse policy ALLOW_DUPLICATE_FAILED_ONLY)."""
    job_ids = recovery_input["jobIds"]
    workflow_id = recovery_workflow_id(job_ids)
    try:
        return await client.start_workflow(
            "recoverBatchJobsWorkflow",
            recovery_input,
            id=workflow_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            # Findable by job ID before the workflow's first task runs (send at most 100 IDs).
            search_attributes=TypedSearchAttributes([
                SearchAttributePair(SearchAttributeKey.for_keyword_list("TencentBatchJobIds"), job_ids),
                SearchAttributePair(SearchAttributeKey.for_keyword("TencentBatchRecoveryState"), "WATCHING"),
            ]),
            static_summary=f"Recover Tencent Batch jobs: {recovery_input.get('label', '')}",
        )
    except WorkflowAlreadyStartedError as err:
        # The recovery of these jobs completed: the reuse policy keeps that run instead of starting another.
        return client.get_workflow_handle(workflow_id, run_id=err.run_id)


async def query_status(handle: WorkflowHandle) -> dict[str, Any]:
    """The running workflow's `status` (the docs list every field)."""
    return await handle.query("status")


async def resolve_escalation(handle: WorkflowHandle, decision: dict[str, Any]) -> list[str]:
    """Sends an operator's decision ({"decision": "RETRY" | "ABANDON" | "RESOLVE", "jobIds"?, "extraRetries"?,
    "operator"?, "note"?}) and returns the jobs it changed. A decision the workflow's validator rejects raises
    temporalio.client.WorkflowUpdateFailedError, whose cause carries the workflow's reason."""
    ack = await handle.execute_update("resolveEscalation", decision)
    return ack["jobIds"]


async def recovery_result(handle: WorkflowHandle) -> dict[str, Any]:
    """Waits for the recovery's result (RecoverBatchJobsResult), following continue-as-new."""
    return await handle.result()
