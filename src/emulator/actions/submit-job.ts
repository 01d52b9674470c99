/**
 * SubmitJob {Placement, Job, ClientToken?} → {JobId}.
 *
 * Fields are those of the SDK's SubmitJobRequest/Job/Task models; nested structures the emulator does not
 * interpret (ComputeEnv, Docker, mappings...) are accepted as they come. A repeated ClientToken returns the
 * job the token first created. A job's outcomes come from the tag `emulator:script` (a JSON JobScript) when
 * present, otherwise from the emulator's default script.
 *
 * Problems get the specific codes the official list gives SubmitJob: `InvalidZone.MismatchRegion` (a zone
 * outside the request's region), `InvalidParameter.JobNameTooLong` / `.TaskNameTooLong` (over 60
 * characters), `InvalidParameter.TaskName` (a task name used twice), `InvalidParameterValue.TaskInstanceNum`,
 * `.MaxRetryCount`, `.Negative`, `.DependenceNotFoundTaskName` and `.DependenceUnfeasible` (a cycle).
 */
import { ApiError, invalidParameterValue } from '../api-error';
import type { Dependence, Tag } from '../job-model';
import { InvalidJobScriptError, parseJobScript } from '../job-script';
import { InvalidJobError, type NewJob } from '../job-store';
import { checkParams, p } from '../params';
import { checkZone } from '../regions';
import type { ActionHandler } from './action';

/** Tag whose value (JSON) scripts the outcomes of a job submitted over the API. */
export const SCRIPT_TAG_KEY = 'emulator:script';

/** Largest TaskInstanceNum the emulator accepts (keeps a typo from allocating millions of instances). */
const MAX_TASK_INSTANCES = 10_000;

const NON_NEGATIVE = p.integer({ min: 0, code: 'InvalidParameterValue.Negative' });

const TAGS = p.array(p.object({ Key: p.required(p.string()), Value: p.required(p.string()) }));

const TASK = p.object({
  Application: p.required(
    p.object({
      DeliveryForm: p.required(p.string({ oneOf: ['LOCAL', 'PACKAGE'] })),
      Command: p.optional(p.string()),
      PackagePath: p.optional(p.string()),
      Docker: p.optional(p.any()),
      Commands: p.optional(p.any()),
    }),
  ),
  TaskName: p.optional(p.string({ maxLength: 60, code: 'InvalidParameter.TaskNameTooLong' })),
  TaskInstanceNum: p.optional(
    p.integer({ min: 1, max: MAX_TASK_INSTANCES, code: 'InvalidParameterValue.TaskInstanceNum' }),
  ),
  ComputeEnv: p.optional(p.any()),
  EnvId: p.optional(p.string()),
  RedirectInfo: p.optional(p.any()),
  RedirectLocalInfo: p.optional(p.any()),
  InputMappings: p.optional(p.any()),
  OutputMappings: p.optional(p.any()),
  OutputMappingConfigs: p.optional(p.any()),
  EnvVars: p.optional(p.any()),
  Authentications: p.optional(p.any()),
  FailedAction: p.optional(p.string({ oneOf: ['TERMINATE', 'INTERRUPT', 'FAST_INTERRUPT'] })),
  MaxRetryCount: p.optional(p.integer({ min: 0, max: 5, code: 'InvalidParameterValue.MaxRetryCount' })),
  Timeout: p.optional(NON_NEGATIVE),
  MaxConcurrentNum: p.optional(NON_NEGATIVE),
  RestartComputeNode: p.optional(p.boolean()),
  ResourceMaxRetryCount: p.optional(NON_NEGATIVE),
});

const FIELDS = {
  Placement: p.required(
    p.object({
      Zone: p.required(p.string()),
      ProjectId: p.optional(p.integer()),
      HostIds: p.optional(p.array(p.string())),
      HostId: p.optional(p.string()),
      DedicatedResourcePackTenancy: p.optional(p.string()),
      DedicatedResourcePackIds: p.optional(p.array(p.string())),
      RackId: p.optional(p.string()),
    }),
  ),
  Job: p.required(
    p.object({
      Tasks: p.required(p.array(TASK, { minItems: 1 })),
      JobName: p.optional(p.string({ maxLength: 60, code: 'InvalidParameter.JobNameTooLong' })),
      JobDescription: p.optional(p.string()),
      Priority: p.optional(p.integer({ min: 0, max: 100 })),
      Dependences: p.optional(
        p.array(p.object({ StartTask: p.required(p.string()), EndTask: p.required(p.string()) })),
      ),
      Notifications: p.optional(p.any()),
      TaskExecutionDependOn: p.optional(p.string()),
      StateIfCreateCvmFailed: p.optional(p.string()),
      Tags: p.optional(TAGS),
      NotificationTarget: p.optional(p.string()),
    }),
  ),
  ClientToken: p.optional(p.string({ maxLength: 64 })),
};

interface SubmitJobParams {
  Placement: { Zone: string } & Record<string, unknown>;
  Job: {
    Tasks: { TaskName?: string; TaskInstanceNum?: number; RedirectInfo?: unknown }[];
    JobName?: string;
    JobDescription?: string;
    Priority?: number;
    Dependences?: { StartTask: string; EndTask: string }[];
    Tags?: Tag[];
  };
  ClientToken?: string;
}

/** SubmitJob. */
export const submitJob: ActionHandler = (body, { store, encoding, region }) => {
  const params = checkParams(body, FIELDS, encoding) as unknown as SubmitJobParams;
  checkZone(params.Placement.Zone, region, 'Placement.Zone');
  const job = params.Job;
  checkTaskGraph(
    job.Tasks.map((task, i) => task.TaskName ?? `Task${i}`),
    job.Dependences ?? [],
  );
  const tags = job.Tags ?? [];
  const dependences: Dependence[] = (job.Dependences ?? []).map((d) => ({
    startTask: d.StartTask,
    endTask: d.EndTask,
  }));
  const newJob: NewJob = {
    // JobName is optional in the SDK model and its default undocumented: the emulator reports ''.
    name: job.JobName ?? '',
    description: job.JobDescription ?? null,
    placement: params.Placement,
    priority: job.Priority ?? 0,
    tags,
    tasks: job.Tasks.map((task, i) => ({
      // TaskName is optional in the SDK model; unnamed tasks get `Task<index>` so DescribeTask can name them.
      name: task.TaskName ?? `Task${i}`,
      instanceCount: task.TaskInstanceNum ?? 1,
      redirectInfo: isRecord(task.RedirectInfo) ? task.RedirectInfo : null,
    })),
    dependences,
    script: scriptFromTags(tags) ?? store.defaultScript,
  };
  try {
    const { jobId, created } = store.submit(newJob, params.ClientToken);
    return { response: { JobId: jobId }, effects: created ? { submittedJobId: jobId } : {} };
  } catch (error) {
    // The names were checked above, so what the store still refuses is a cycle.
    if (error instanceof InvalidJobError) {
      throw invalidParameterValue(
        'Job.Dependences',
        error.message,
        'InvalidParameterValue.DependenceUnfeasible',
      );
    }
    throw error;
  }
};

function checkTaskGraph(
  names: readonly string[],
  dependences: readonly { StartTask: string; EndTask: string }[],
): void {
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      throw new ApiError('InvalidParameter.TaskName', `The task name ${name} is used more than once.`);
    }
  });
  dependences.forEach((d, i) => {
    const unknown = [d.StartTask, d.EndTask].find((name) => !names.includes(name));
    if (unknown !== undefined) {
      throw new ApiError(
        'InvalidParameterValue.DependenceNotFoundTaskName',
        `\`Job.Dependences.${i}\` names the task ${unknown}, which the job does not define.`,
      );
    }
  });
}

function scriptFromTags(tags: readonly Tag[]): ReturnType<typeof parseJobScript> | undefined {
  const tag = tags.find((t) => t.Key === SCRIPT_TAG_KEY);
  if (!tag) return undefined;
  try {
    return parseJobScript(JSON.parse(tag.Value));
  } catch (error) {
    const reason = error instanceof InvalidJobScriptError ? error.problems.join('; ') : 'not valid JSON';
    throw new ApiError(
      'InvalidParameterValue',
      `The tag \`${SCRIPT_TAG_KEY}\` is not a job script: ${reason}.`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
