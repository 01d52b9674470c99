/** The `Filters` parameter of Describe* actions: `[{Name, Values}]`, ANDed across filters, ORed within one. */
import { invalidParameterValue } from '../api-error';
import { type ParamSchema, p } from '../params';

/**
 * Schema of `Filters`: Tencent allows at most 10 filters of at most 5 values each. `tooMany` is the code
 * for more (DescribeJobs's list has `InvalidParameterValue.LimitExceeded`; other actions answer the common one).
 */
export function filtersSchema(tooMany = 'InvalidParameterValue'): ParamSchema {
  return p.array(
    p.object({
      Name: p.required(p.string()),
      Values: p.required(p.array(p.string(), { minItems: 1, maxItems: 5, code: tooMany })),
    }),
    { maxItems: 10, code: tooMany },
  );
}

/** One checked filter. */
export interface Filter {
  Name: string;
  Values: string[];
}

/**
 * Checks filter names against those the action supports (`allowed`, plus `tag:<key>` when `allowTagKey`).
 * @throws {ApiError} `code` (`InvalidParameterValue` unless the action's list has a specific one) naming
 *   the filter.
 */
export function checkFilterNames(
  filters: readonly Filter[],
  allowed: readonly string[],
  { allowTagKey = false, code = 'InvalidParameterValue' }: { allowTagKey?: boolean; code?: string } = {},
): void {
  filters.forEach((filter, i) => {
    const ok = allowed.includes(filter.Name) || (allowTagKey && /^tag:.+/.test(filter.Name));
    if (!ok) {
      throw invalidParameterValue(
        `Filters.${i}.Name`,
        `${JSON.stringify(filter.Name)} is not a supported filter (supported: ${allowed.join(', ')}` +
          `${allowTagKey ? ', tag:<key>' : ''})`,
        code,
      );
    }
  });
}
