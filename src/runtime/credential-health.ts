/**
 * Whether Tencent Cloud accepts the worker's credentials, as the process last saw it: from every Batch call the
 * activities make and from a periodic check call. A refusal (`AuthFailure.*`) or a credential source that cannot
 * produce keys turns `/healthz` unhealthy, is counted in metrics and logged once; the next accepted call turns it
 * healthy again, with no restart: the credential source is asked again on every call.
 *
 * Platform trouble is not a job failure: this is where it shows, for operators, instead of in escalations.
 */
import { ApplicationFailure, type Logger, type MetricMeter } from '@temporalio/common';
import type { BatchApi } from '../batch/batch-api';
import type { CredentialSource } from '../batch/credential-source';
import type { Credentials } from '../batch/credentials';
import type { TencentApiErrorDetails } from '../shared/errors';

/** Metric names of the credential health (Prometheus, next to the package's other counters). */
export const CREDENTIAL_METRICS = {
  /** Counter, labels `action` and `code`: calls Tencent Cloud refused for authentication (`AuthFailure.*`). */
  authRefusals: 'tencent_batch_auth_refusals',
  /** Counter, label `source`: times the credential source could not produce credentials. */
  sourceFailures: 'tencent_batch_credential_source_failures',
  /** Gauge: 1 while the credentials are accepted (or not yet tried), 0 while refused or unavailable. */
  healthy: 'tencent_batch_credentials_healthy',
} as const;

/** What the process knows about its credentials. */
export type CredentialStatus = 'unverified' | 'ok' | 'refused' | 'unavailable';

/** The `credentials` block of `/healthz`. Never holds a secret. */
export interface CredentialHealthReport {
  status: CredentialStatus;
  /** The source kind (`TENCENTCLOUD_CREDENTIALS`). */
  source: string;
  /** Since when the status holds (ISO-8601). */
  since: string;
  /** The refusal's code (`AuthFailure.SecretIdNotFound`, ...) or `CredentialsUnavailable`. */
  code?: string;
  /** The call that was refused, and its RequestId. */
  action?: string;
  requestId?: string;
}

/** Codes that mean "these credentials are not accepted" (a permission refusal is another matter). */
export function isAuthRefusalCode(code: string): boolean {
  return code.startsWith('AuthFailure.') && code !== 'AuthFailure.UnauthorizedOperation';
}

/** Dependencies of {@link CredentialHealth}. */
export interface CredentialHealthDeps {
  logger: Logger;
  meter: MetricMeter;
  /** @default () => new Date() */
  now?: () => Date;
}

/** The credential health of one worker process. */
export class CredentialHealth {
  #report: CredentialHealthReport;
  readonly #now: () => Date;
  /** When a call last told whether the credentials are accepted (epoch ms); 0 before any. */
  #lastVerdictMs = 0;

  constructor(
    private readonly source: Pick<CredentialSource, 'kind' | 'description'>,
    private readonly deps: CredentialHealthDeps,
  ) {
    this.#now = deps.now ?? (() => new Date());
    this.#report = { status: 'unverified', source: source.kind, since: this.#now().toISOString() };
    this.#setGauge();
  }

  /** The current report (a copy). */
  report(): CredentialHealthReport {
    return { ...this.#report };
  }

  /** False while Tencent Cloud refuses the credentials or the source has none. */
  get healthy(): boolean {
    return this.#report.status === 'unverified' || this.#report.status === 'ok';
  }

  /** Milliseconds since a call last told whether the credentials are accepted (Infinity before any). */
  msSinceLastVerdict(): number {
    return this.#lastVerdictMs === 0 ? Infinity : this.#now().getTime() - this.#lastVerdictMs;
  }

  /** An API call was answered (successfully, or with an error that is not about credentials). */
  recordAccepted(): void {
    this.#lastVerdictMs = this.#now().getTime();
    if (this.#report.status === 'ok') return;
    const wasUnhealthy = !this.healthy;
    this.#report = { status: 'ok', source: this.source.kind, since: this.#now().toISOString() };
    this.#setGauge();
    if (wasUnhealthy) {
      this.deps.logger.info('Tencent Cloud accepts the credentials again: work resumes', {
        credentialSource: this.source.description,
      });
    }
  }

  /** A Batch call failed: records a refusal, an answer, or nothing (transport faults say nothing either way). */
  recordFailure(err: unknown, action: string): void {
    const details = failureDetails(err);
    if (details === undefined) return;
    if (!isAuthRefusalCode(details.code)) {
      // An API answer (it has a RequestId) comes after the signature check: the credentials were accepted.
      // Transport faults and local refusals have none and say nothing either way.
      if (details.requestId) this.recordAccepted();
      return;
    }
    this.#lastVerdictMs = this.#now().getTime();
    this.deps.meter.createCounter(CREDENTIAL_METRICS.authRefusals).add(1, { action, code: details.code });
    this.#become('refused', {
      code: details.code,
      action,
      ...(details.requestId ? { requestId: details.requestId } : {}),
    });
  }

  /** The credential source failed to produce credentials. */
  recordSourceFailure(err: unknown): void {
    this.deps.meter.createCounter(CREDENTIAL_METRICS.sourceFailures).add(1, { source: this.source.kind });
    this.#become('unavailable', { code: 'CredentialsUnavailable' }, err);
  }

  /** The source, reporting its failures here (the SDK would hide them behind a transport-like error). */
  watchSource(source: CredentialSource): CredentialSource {
    return {
      kind: source.kind,
      description: source.description,
      current: async (): Promise<Credentials> => {
        try {
          return await source.current();
        } catch (err) {
          this.recordSourceFailure(err);
          throw err;
        }
      },
    };
  }

  #become(
    status: 'refused' | 'unavailable',
    fields: Pick<CredentialHealthReport, 'code' | 'action' | 'requestId'>,
    err?: unknown,
  ): void {
    const changed = this.#report.status !== status || this.#report.code !== fields.code;
    const since = changed ? this.#now().toISOString() : this.#report.since;
    this.#report = { status, source: this.source.kind, since, ...fields };
    this.#setGauge();
    if (!changed) return;
    // Once per change, not per call: a refused worker may try many times a minute.
    if (status === 'refused') {
      this.deps.logger.error(
        'Tencent Cloud refused the credentials: /healthz reports unhealthy until a call is accepted again',
        { ...fields, credentialSource: this.source.description },
      );
    } else {
      this.deps.logger.warn('The credential source has no credentials: /healthz reports unhealthy', {
        credentialSource: this.source.description,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  #setGauge(): void {
    this.deps.meter.createGauge(CREDENTIAL_METRICS.healthy).set(this.healthy ? 1 : 0);
  }
}

/** `details[0]` of a classified Batch failure (the client layer never throws anything else). */
function failureDetails(err: unknown): TencentApiErrorDetails | undefined {
  if (!(err instanceof ApplicationFailure)) return undefined;
  const details = err.details?.[0] as Partial<TencentApiErrorDetails> | undefined;
  return typeof details?.code === 'string' && typeof details.action === 'string'
    ? (details as TencentApiErrorDetails)
    : undefined;
}

/** The Batch client, with every call's outcome reported to `health`. Failures pass through unchanged. */
export function monitoredBatchApi(api: BatchApi, health: CredentialHealth): BatchApi {
  const watched =
    <I, O>(action: string, call: (input: I) => Promise<O>) =>
    async (input: I): Promise<O> => {
      try {
        const answer = await call(input);
        health.recordAccepted();
        return answer;
      } catch (err) {
        health.recordFailure(err, action);
        throw err;
      }
    };
  return {
    describeJobs: watched('DescribeJobs', (i) => api.describeJobs(i)),
    describeJob: watched('DescribeJob', (i) => api.describeJob(i)),
    describeTask: watched('DescribeTask', (i) => api.describeTask(i)),
    retryJobs: watched('RetryJobs', (i) => api.retryJobs(i)),
    submitJob: watched('SubmitJob', (i) => api.submitJob(i)),
    terminateJob: watched('TerminateJob', (i) => api.terminateJob(i)),
    deleteJob: watched('DeleteJob', (i) => api.deleteJob(i)),
  };
}

/** A running periodic credential check. */
export interface CredentialChecks {
  stop(): void;
}

/**
 * Sends `check` now and then every `intervalMs` in which no call told whether the credentials are accepted, so the
 * health follows the credentials even while no activity calls the API (an idle worker whose key was revoked must
 * not look healthy; one whose key was fixed must recover). A busy worker sends none. One check at a time; a
 * check's outcome goes to `health` like any call's.
 */
export function startCredentialChecks(
  check: () => Promise<unknown>,
  health: CredentialHealth,
  intervalMs: number,
): CredentialChecks {
  let running = false;
  const once = async (): Promise<void> => {
    if (running || health.msSinceLastVerdict() < intervalMs) return;
    running = true;
    try {
      await check();
      health.recordAccepted();
    } catch (err) {
      health.recordFailure(err, 'DescribeJobs');
    } finally {
      running = false;
    }
  };
  void once();
  const timer = setInterval(() => void once(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
