package example.callers;

import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowTargetOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Starts and drives tencent-batch-recovery's recoverBatchJobsWorkflow from Java, by name: the workflow runs on the
 * package's TypeScript worker; this side only needs io.temporal:temporal-sdk.
 */
public final class BatchRecovery {
  /** The recovery worker's workflow task queue (TENCENT_BATCH_RECOVERY_TASK_QUEUE on the worker). */
  public static final String TASK_QUEUE = "tencent-batch-recovery";

  private BatchRecovery() {}

  /** The documented ID of the recovery of a job set: one recovery per set, whatever the order. */
  public static String recoveryWorkflowId(List<String> jobIds) {
    try {
      String joined = String.join(",", new TreeSet<>(jobIds));
      byte[] sum = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8));
      return "tencent-batch-recovery-" + HexFormat.of().formatHex(sum).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Starts the recovery of {@code input.get("jobIds")}, or returns the run that already owns these jobs: a running
   * one (conflict policy USE_EXISTING) or a completed one (reuse policy ALLOW_DUPLICATE_FAILED_ONLY).
   */
  @SuppressWarnings("unchecked")
  public static WorkflowStub startRecovery(WorkflowClient client, Map<String, ?> input, String taskQueue) {
    List<String> jobIds = (List<String>) input.get("jobIds");
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(recoveryWorkflowId(jobIds))
            .setTaskQueue(taskQueue)
            .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
            // Findable by job ID before the workflow's first task runs (send at most 100 IDs).
            .setTypedSearchAttributes(
                SearchAttributes.newBuilder()
                    .set(SearchAttributeKey.forKeywordList("TencentBatchJobIds"), jobIds)
                    .set(SearchAttributeKey.forKeyword("TencentBatchRecoveryState"), "WATCHING")
                    .build())
            .setStaticSummary("Recover Tencent Batch jobs: " + input.get("label"))
            .build();
    WorkflowStub stub = client.newUntypedWorkflowStub("recoverBatchJobsWorkflow", options);
    try {
      stub.start(input);
      return stub;
    } catch (WorkflowExecutionAlreadyStarted e) {
      // The recovery of these jobs completed: the reuse policy keeps that run instead of starting another.
      return client.newUntypedWorkflowStub(
          WorkflowTargetOptions.newBuilder().setWorkflowExecution(e.getExecution()).build(),
          Optional.of("recoverBatchJobsWorkflow"));
    }
  }

  /** The running workflow's {@code status} (the docs list every field). */
  public static Map<String, Object> queryStatus(WorkflowStub recovery) {
    return asMap(recovery.query("status", Map.class));
  }

  /**
   * Sends an operator's decision ({@code {"decision": "RETRY" | "ABANDON" | "RESOLVE", "jobIds"?, "extraRetries"?,
   * "operator"?, "note"?}}) and returns the jobs it changed. A decision the workflow's validator rejects throws
   * {@code WorkflowUpdateException}, whose cause carries the workflow's reason.
   */
  @SuppressWarnings("unchecked")
  public static List<String> resolveEscalation(WorkflowStub recovery, Map<String, ?> decision) {
    Map<String, Object> ack = asMap(recovery.update("resolveEscalation", Map.class, decision));
    return (List<String>) ack.get("jobIds");
  }

  /** Waits for the recovery's result (RecoverBatchJobsResult), following continue-as-new. */
  public static Map<String, Object> recoveryResult(WorkflowStub recovery) {
    return asMap(recovery.getResult(Map.class));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Map<?, ?> value) {
    return (Map<String, Object>) value;
  }
}
