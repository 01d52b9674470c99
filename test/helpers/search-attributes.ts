import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/shared/constants';

const INDEXED_TYPES = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/**
 * Registers the package's search attributes on a server that was not started with them (the time-skipping test
 * server). The dev server gets them at start (`--search-attribute`).
 */
export async function registerSearchAttributes(
  env: TestWorkflowEnvironment,
  namespace = 'default',
): Promise<void> {
  const searchAttributes = Object.fromEntries(
    Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).map(([name, type]) => [name, INDEXED_TYPES[type]]),
  );
  await env.connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}
