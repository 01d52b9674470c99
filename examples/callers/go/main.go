// The Go caller CI runs (test/callers): recovers the job IDs given as arguments through the package's worker,
// abandons the jobs that get escalated, and prints what happened as one JSON line. Connection and task queues
// come from the same variables the worker reads: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TENCENT_BATCH_RECOVERY_TASK_QUEUE, ..._RETRY_TASK_QUEUE, ..._DESCRIBE_TASK_QUEUE.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"example.com/tencent-batch-recovery/callers/recovery"
	"go.temporal.io/sdk/client"
)

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "go caller failed:", err)
		os.Exit(1)
	}
}

func run(jobIDs []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(client.Options{
		HostPort:  env("TEMPORAL_ADDRESS", "localhost:7233"),
		Namespace: env("TEMPORAL_NAMESPACE", "default"),
	})
	if err != nil {
		return err
	}
	defer c.Close()

	taskQueue := env("TENCENT_BATCH_RECOVERY_TASK_QUEUE", recovery.TaskQueue)
	input := recovery.Input{
		JobIDs: jobIDs,
		Label:  "go-caller",
		Policy: map[string]any{
			"pollInterval":     "1s",
			"maxRetriesPerJob": 2,
			"backoff":          map[string]any{"initialInterval": "500ms", "maxInterval": "1s", "jitter": 0},
			"retryRules":       []map[string]any{{"onExitCode": "2", "action": "ESCALATE"}},
		},
		TaskQueues: &recovery.TaskQueues{
			Retry:    env("TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE", "tencent-batch-recovery-retry"),
			Describe: env("TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE", "tencent-batch-recovery-describe"),
		},
	}
	first, err := recovery.Start(ctx, c, taskQueue, input)
	if err != nil {
		return err
	}
	joined, err := recovery.Start(ctx, c, taskQueue, input) // a repeated start joins the running recovery
	if err != nil {
		return err
	}

	// Wait for the escalation. A query fails while no worker polls the queue (e.g. one is starting): ask again
	// until the context's deadline, which ends the wait with the last error.
	var escalated []string
	for escalated == nil {
		status, err := recovery.QueryStatus(ctx, c, first.GetID())
		if err != nil && ctx.Err() != nil {
			return err
		}
		if err == nil && status.Overall == "AWAITING_DECISION" {
			escalated = []string{}
			for _, job := range status.Jobs {
				if job.Phase == "AWAITING_DECISION" {
					escalated = append(escalated, job.JobID)
				}
			}
		} else {
			time.Sleep(500 * time.Millisecond)
		}
	}
	decided, err := recovery.ResolveEscalation(ctx, c, first.GetID(), recovery.Decision{
		Decision: "ABANDON", JobIDs: escalated, Operator: "ci", Note: "exit code 2: bad input",
	})
	if err != nil {
		return err
	}
	result, err := recovery.Result(ctx, c, first.GetID())
	if err != nil {
		return err
	}
	again, err := recovery.Start(ctx, c, taskQueue, input) // after completion: the completed run, nothing new
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"workflowId":       first.GetID(),
		"runIds":           []string{first.GetRunID(), joined.GetRunID(), again.GetRunID()},
		"awaitingDecision": escalated,
		"decided":          decided,
		"result":           result,
	})
}
