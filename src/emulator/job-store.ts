/**
 * The emulator's jobs: creation (from SubmitJob or from a test's spec), lookup, deletion, ClientToken
 * idempotency and ID allocation. Transitions live in ./job-planner.ts, state derivation in ./job-model.ts.
 */
import { isJobId } from '../shared/job-id';
import type { EmulatedClock } from './clock';
import type { Dependence, Job, JobTask, Tag } from './job-model';
import { planAttempt } from './job-planner';
import { DEFAULT_JOB_TIMING, type JobScript, parseJobScript } from './job-script';
import { type SeededRandom, newResourceId } from './random';

/** A job to create, already validated for the API (names, counts); the DAG is checked here. */
export interface NewJob {
  name: string;
  description: string | null;
  placement: { Zone: string } & Record<string, unknown>;
  priority: number;
  tags: Tag[];
  tasks: { name: string; instanceCount: number; redirectInfo: Record<string, unknown> | null }[];
  dependences: Dependence[];
  script: JobScript;
}

/**
 * A job for a test or a demo to seed directly, bypassing HTTP. Every field is optional.
 */
export interface JobSpec {
  /** A well-formed, unused job ID. @default a new random one */
  jobId?: string;
  /** @default 'emulated-job' */
  jobName?: string;
  /** @default 'ap-guangzhou-3' */
  zone?: string;
  /** @default 0 */
  priority?: number;
  /** @default [] */
  tags?: Tag[];
  /** @default [{ taskName: 'main', instances: 1 }] */
  tasks?: { taskName: string; instances?: number }[];
  /** @default [] */
  dependences?: Dependence[];
  /** @default the emulator's defaultScript */
  script?: JobScript;
}

/** Why a job cannot be created. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

/** Default zone of seeded jobs: a Guangzhou zone, Tencent Cloud's default region. */
export const DEFAULT_ZONE = 'ap-guangzhou-3';

/** The jobs of one emulator. */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly clientTokens = new Map<string, string>();

  constructor(
    private readonly clock: EmulatedClock,
    private readonly random: SeededRandom,
    /** The script of jobs created without one. */
    readonly defaultScript: JobScript,
  ) {}

  /** Emulated now, in epoch milliseconds. */
  now(): number {
    return this.clock.now();
  }

  /** Draws the ID of a CVM for a task instance. */
  readonly nodeId = (): string => newResourceId(this.random, 'ins', () => false);

  /** The job, or undefined when it does not exist (never created or deleted). */
  get(jobId: string): Job | undefined {
    return this.jobs.get(jobId);
  }

  /** Every job, oldest first. */
  list(): Job[] {
    return [...this.jobs.values()];
  }

  /** Removes a job; false when there was none. */
  delete(jobId: string): boolean {
    return this.jobs.delete(jobId);
  }

  /**
   * SubmitJob: creates the job, or with a ClientToken seen before returns the job that token created (even if
   * the job was deleted since), without looking at the rest of the request.
   */
  submit(job: NewJob, clientToken?: string): { jobId: string; created: boolean } {
    if (clientToken !== undefined) {
      const existing = this.clientTokens.get(clientToken);
      if (existing !== undefined) return { jobId: existing, created: false };
    }
    const created = this.create(job);
    if (clientToken !== undefined) this.clientTokens.set(clientToken, created.id);
    return { jobId: created.id, created: true };
  }

  /** Creates a job from a test's spec. @throws {InvalidJobError} for a bad spec. */
  createFromSpec(spec: JobSpec): Job {
    checkJobSpecShape(spec);
    const tasks = (spec.tasks ?? [{ taskName: 'main' }]).map((task) => ({
      name: task.taskName,
      instanceCount: task.instances ?? 1,
      redirectInfo: null,
    }));
    for (const task of tasks) {
      if (!Number.isInteger(task.instanceCount) || task.instanceCount < 1) {
        throw new InvalidJobError(`task ${task.name}: instances must be a positive integer`);
      }
    }
    if (spec.jobId !== undefined && !isJobId(spec.jobId)) {
      throw new InvalidJobError(`jobId ${JSON.stringify(spec.jobId)} is not job- followed by 8 of [a-z0-9]`);
    }
    if (spec.jobId !== undefined && this.jobs.has(spec.jobId)) {
      throw new InvalidJobError(`job ${spec.jobId} already exists`);
    }
    const script = spec.script === undefined ? undefined : parseJobScript(spec.script);
    return this.create(
      {
        name: spec.jobName ?? 'emulated-job',
        description: null,
        placement: { Zone: spec.zone ?? DEFAULT_ZONE },
        priority: spec.priority ?? 0,
        tags: spec.tags ?? [],
        tasks,
        dependences: spec.dependences ?? [],
        script: script ?? this.defaultScript,
      },
      spec.jobId,
    );
  }

  private create(spec: NewJob, jobId?: string): Job {
    const order = dagOrder(
      spec.tasks.map((task) => task.name),
      spec.dependences,
    );
    if (typeof order === 'string') throw new InvalidJobError(order);
    const now = this.now();
    const submittedUntil = now + (spec.script.submittedSeconds ?? DEFAULT_JOB_TIMING.submittedSeconds) * 1000;
    const tasks: JobTask[] = spec.tasks.map((task) => ({
      name: task.name,
      redirectInfo: task.redirectInfo,
      instances: Array.from({ length: task.instanceCount }, (_, index) => ({
        index,
        attempt: 0,
        createdAt: now,
      })),
    }));
    const job: Job = {
      id: jobId ?? newResourceId(this.random, 'job', (id) => this.jobs.has(id)),
      name: spec.name,
      description: spec.description,
      placement: spec.placement,
      priority: spec.priority,
      tags: spec.tags,
      createdAt: now,
      submittedUntil,
      tasks,
      taskOrder: order,
      dependences: spec.dependences,
      script: spec.script,
      attempt: 0,
      attemptStartedAt: submittedUntil,
      endTimeMs: -Infinity,
      previousEndTimes: [],
      stateReason: null,
    };
    planAttempt(job, this.nodeId);
    this.jobs.set(job.id, job);
    return job;
  }

  /**
   * Replaces a job's script. If the current attempt has not finished it is planned again from its start
   * with the new script; otherwise the script applies from the next retry.
   */
  setScript(job: Job, script: JobScript, replanCurrent: boolean): void {
    job.script = parseJobScript(script);
    if (!replanCurrent) return;
    if (job.attempt === 0) {
      job.submittedUntil =
        job.createdAt + (job.script.submittedSeconds ?? DEFAULT_JOB_TIMING.submittedSeconds) * 1000;
      job.attemptStartedAt = job.submittedUntil;
    }
    planAttempt(job, this.nodeId);
  }
}

/**
 * Task names in DAG order (a task after every task it depends on; otherwise in submitted order), or a
 * sentence saying why there is none: duplicate names, a dependence on an unknown task, or a cycle.
 */
export function dagOrder(names: readonly string[], dependences: readonly Dependence[]): string[] | string {
  if (names.length === 0) return 'a job needs at least one task';
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) return `task name ${duplicate} is used more than once`;
  for (const d of dependences) {
    for (const name of [d.startTask, d.endTask]) {
      if (!names.includes(name))
        return `dependence ${d.startTask} -> ${d.endTask} names unknown task ${name}`;
    }
    if (d.startTask === d.endTask) return `task ${d.startTask} depends on itself`;
  }
  const order: string[] = [];
  const remaining = [...names];
  while (remaining.length > 0) {
    const ready = remaining.find((name) =>
      dependences.every((d) => d.endTask !== name || order.includes(d.startTask)),
    );
    if (ready === undefined) return `dependences form a cycle among tasks ${remaining.join(', ')}`;
    order.push(ready);
    remaining.splice(remaining.indexOf(ready), 1);
  }
  return order;
}

/**
 * Checks the shape of a spec that may come from JSON (admin API), so that a bad one is refused with a
 * sentence instead of breaking the job later.
 */
function checkJobSpecShape(spec: unknown): asserts spec is JobSpec {
  const problems: string[] = [];
  const s = (typeof spec === 'object' && spec !== null ? spec : {}) as Record<string, unknown>;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    problems.push('a job spec must be an object');
  const known = ['jobId', 'jobName', 'zone', 'priority', 'tags', 'tasks', 'dependences', 'script'];
  for (const key of Object.keys(s)) if (!known.includes(key)) problems.push(`unknown field ${key}`);
  for (const key of ['jobId', 'jobName', 'zone']) {
    if (s[key] !== undefined && typeof s[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (s['priority'] !== undefined && !Number.isInteger(s['priority']))
    problems.push('priority must be an integer');
  const listOf = (key: string, fields: string[], optional: string[] = []): void => {
    const value = s[key];
    if (value === undefined) return;
    const ok =
      Array.isArray(value) &&
      value.every(
        (item: unknown) =>
          typeof item === 'object' &&
          item !== null &&
          fields.every((f) => typeof (item as Record<string, unknown>)[f] === 'string') &&
          Object.keys(item).every((k) => fields.includes(k) || optional.includes(k)),
      );
    if (!ok)
      problems.push(
        `${key} must be an array of {${[...fields, ...optional.map((o) => `${o}?`)].join(', ')}}`,
      );
  };
  listOf('tasks', ['taskName'], ['instances']);
  listOf('dependences', ['startTask', 'endTask']);
  listOf('tags', ['Key', 'Value']);
  if (problems.length > 0) throw new InvalidJobError(`Invalid job spec: ${problems.join('; ')}`);
}
