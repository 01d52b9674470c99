package example.callers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java caller CI runs (test/callers): recovers the job IDs given as arguments through the package's worker,
 * abandons the jobs that get escalated, and prints what happened as one JSON line. Connection and task queues come
 * from the same variables the worker reads: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TENCENT_BATCH_RECOVERY_TASK_QUEUE,
 * ..._RETRY_TASK_QUEUE, ..._DESCRIBE_TASK_QUEUE.
 */
public final class Main {
  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  public static void main(String[] args) throws Exception {
    // Connected before the first call: a lazy connection spends the first call's short deadline on connecting.
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(env("TEMPORAL_ADDRESS", "localhost:7233"))
                .build(),
            Duration.ofSeconds(30));
    try {
      WorkflowClient client =
          WorkflowClient.newInstance(
              service,
              WorkflowClientOptions.newBuilder()
                  .setNamespace(env("TEMPORAL_NAMESPACE", "default"))
                  .build());
      System.out.println(new ObjectMapper().writeValueAsString(run(client, List.of(args))));
    } finally {
      service.shutdown();
    }
  }

  private static Map<String, Object> run(WorkflowClient client, List<String> jobIds) throws InterruptedException {
    String taskQueue = env("TENCENT_BATCH_RECOVERY_TASK_QUEUE", BatchRecovery.TASK_QUEUE);
    Map<String, Object> input =
        Map.of(
            "jobIds", jobIds,
            "label", "java-caller",
            "policy",
                Map.of(
                    "pollInterval", "1s",
                    "maxRetriesPerJob", 2,
                    "backoff", Map.of("initialInterval", "500ms", "maxInterval", "1s", "jitter", 0),
                    "retryRules", List.of(Map.of("onExitCode", "2", "action", "ESCALATE"))),
            "taskQueues",
                Map.of(
                    "retry", env("TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE", "tencent-batch-recovery-retry"),
                    "describe",
                        env("TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE", "tencent-batch-recovery-describe")));
    WorkflowStub first = BatchRecovery.startRecovery(client, input, taskQueue);
    WorkflowStub joined = BatchRecovery.startRecovery(client, input, taskQueue); // joins the running recovery

    // Wait for the escalation. A query fails while no worker polls the queue (e.g. one is starting): ask again
    // until the deadline, which ends the wait with the last error.
    long deadline = System.nanoTime() + 90_000_000_000L;
    Map<String, Object> status = Map.of();
    while (true) {
      try {
        status = BatchRecovery.queryStatus(first);
        if ("AWAITING_DECISION".equals(status.get("overall"))) break;
      } catch (WorkflowServiceException e) {
        if (System.nanoTime() > deadline) throw e;
        System.err.println("status not available yet: " + e.getCause());
      }
      if (System.nanoTime() > deadline) throw new IllegalStateException("no escalation in 90 s: " + status);
      Thread.sleep(500);
    }
    List<String> escalated = new ArrayList<>();
    for (Object job : (List<?>) status.get("jobs")) {
      Map<?, ?> j = (Map<?, ?>) job;
      if ("AWAITING_DECISION".equals(j.get("phase"))) escalated.add((String) j.get("jobId"));
    }
    List<String> decided =
        BatchRecovery.resolveEscalation(
            first,
            Map.of("decision", "ABANDON", "jobIds", escalated, "operator", "ci", "note", "exit code 2: bad input"));
    Map<String, Object> result = BatchRecovery.recoveryResult(first);
    WorkflowStub again = BatchRecovery.startRecovery(client, input, taskQueue); // the completed run, nothing new

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("workflowId", first.getExecution().getWorkflowId());
    report.put(
        "runIds",
        List.of(
            first.getExecution().getRunId(), joined.getExecution().getRunId(), again.getExecution().getRunId()));
    report.put("awaitingDecision", escalated);
    report.put("decided", decided);
    report.put("result", result);
    return report;
  }
}
