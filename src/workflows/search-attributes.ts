import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../shared/constants';

/**
 * Job IDs the search attribute holds at most. Temporal refuses a search attribute value over 2 KB by default
 * (dynamic config `limit.searchAttributesSizeOfValue`: 2,048 bytes): 100 IDs are about 1.5 KB as JSON, 1,000 would be
 * 15 KB and fail the start or the upsert. The status query lists every job.
 */
export const MAX_SEARCHABLE_JOB_IDS = 100;

/** The job IDs to put in the search attribute. */
export function searchableJobIds(jobIds: readonly string[]): string[] {
  return jobIds.slice(0, MAX_SEARCHABLE_JOB_IDS);
}

/**
 * The job IDs a workflow watches (the first {@link MAX_SEARCHABLE_JOB_IDS}), so an operator finds a job's
 * workflow in the web UI.
 */
export const JOB_IDS_SEARCH_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.jobIds,
  SearchAttributeType.KEYWORD_LIST,
);

/** The workflow's overall state (WATCHING, RETRYING, AWAITING_DECISION, ...). */
export const RECOVERY_STATE_SEARCH_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.recoveryState,
  SearchAttributeType.KEYWORD,
);
