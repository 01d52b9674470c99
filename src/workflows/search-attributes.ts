import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../shared/constants';

/** The job IDs a workflow watches, so an operator finds a job's workflow in the web UI. */
export const JOB_IDS_SEARCH_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.jobIds,
  SearchAttributeType.KEYWORD_LIST,
);

/** The workflow's overall state (WATCHING, RETRYING, AWAITING_DECISION, ...). */
export const RECOVERY_STATE_SEARCH_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.recoveryState,
  SearchAttributeType.KEYWORD,
);
