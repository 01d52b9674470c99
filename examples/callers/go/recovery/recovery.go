// Package recovery starts and drives tencent-batch-recovery's recoverBatchJobsWorkflow from Go, by name: the
// workflow runs on the package's TypeScript worker; this side only needs the Go SDK.
package recovery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the recovery worker's workflow task queue (TENCENT_BATCH_RECOVERY_TASK_QUEUE on the worker).
const TaskQueue = "tencent-batch-recovery"

// WorkflowID is the documented ID of the recovery of a job set: one recovery per set, whatever the order.
func WorkflowID(jobIDs []string) string {
	ids := slices.Clone(jobIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return "tencent-batch-recovery-" + hex.EncodeToString(sum[:])[:16]
}

// Input is RecoverBatchJobsInput; Policy takes the JSON shape of the docs.
type Input struct {
	JobIDs     []string       `json:"jobIds"`
	Label      string         `json:"label,omitempty"`
	Policy     map[string]any `json:"policy,omitempty"`
	TaskQueues *TaskQueues    `json:"taskQueues,omitempty"`
}

// TaskQueues names renamed queues, and the shards the jobs are shared among (0: the default, one).
type TaskQueues struct {
	Retry    string `json:"retry,omitempty"`
	Describe string `json:"describe,omitempty"`
	Shards   int    `json:"shards,omitempty"`
}

// Start starts the recovery of input.JobIDs on taskQueue, or returns the run that already owns these jobs:
// a running one (conflict policy USE_EXISTING) or a completed one (reuse policy ALLOW_DUPLICATE_FAILED_ONLY;
// the Go SDK returns that run instead of an error).
func Start(ctx context.Context, c client.Client, taskQueue string, input Input) (client.WorkflowRun, error) {
	return c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(input.JobIDs),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		// Findable by job ID before the workflow's first task runs (send at most 100 IDs).
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeywordList("TencentBatchJobIds").ValueSet(input.JobIDs),
			temporal.NewSearchAttributeKeyKeyword("TencentBatchRecoveryState").ValueSet("WATCHING"),
		),
		StaticSummary: "Recover Tencent Batch jobs: " + input.Label,
	}, "recoverBatchJobsWorkflow", input)
}

// Status is the part of the `status` query's answer this caller reads; the docs list every field.
type Status struct {
	Overall string `json:"overall"`
	Jobs    []struct {
		JobID      string `json:"jobId"`
		Phase      string `json:"phase"`
		Outcome    string `json:"outcome,omitempty"`
		Retries    int    `json:"retries"`
		Escalation *struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"escalation,omitempty"`
	} `json:"jobs"`
}

// QueryStatus asks the running workflow for its status.
func QueryStatus(ctx context.Context, c client.Client, workflowID string) (Status, error) {
	var status Status
	value, err := c.QueryWorkflow(ctx, workflowID, "", "status")
	if err == nil {
		err = value.Get(&status)
	}
	return status, err
}

// Decision is the resolveEscalation update's input.
type Decision struct {
	Decision     string   `json:"decision"` // RETRY, ABANDON or RESOLVE
	JobIDs       []string `json:"jobIds,omitempty"`
	ExtraRetries int      `json:"extraRetries,omitempty"`
	Operator     string   `json:"operator,omitempty"`
	Note         string   `json:"note,omitempty"`
}

// ResolveEscalation sends an operator's decision and returns the jobs it changed. A decision the workflow's
// validator rejects (e.g. no job is awaiting one) is an error carrying the workflow's reason.
func ResolveEscalation(ctx context.Context, c client.Client, workflowID string, d Decision) ([]string, error) {
	handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   "resolveEscalation",
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return nil, err
	}
	var ack struct {
		JobIDs []string `json:"jobIds"`
	}
	err = handle.Get(ctx, &ack)
	return ack.JobIDs, err
}

// Result waits for the recovery's result (RecoverBatchJobsResult), following continue-as-new.
func Result(ctx context.Context, c client.Client, workflowID string) (map[string]any, error) {
	var result map[string]any
	err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, &result)
	return result, err
}
