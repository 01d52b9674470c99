/** The `Filters` parameter of Describe* actions: `[{Name, Values}]`, ANDed across filters, ORed within one. */
import { invalidParameterValue } from '../api-error';
import { p } from '../params';

/** Schema of one Filter. Tencent allows at most 10 filters of at most 5 values each. */
export const FILTERS_SCHEMA = p.array(
  p.object({
    Name: p.required(p.string()),
    Values: p.required(p.array(p.string(), { minItems: 1, maxItems: 5 })),
  }),
  { maxItems: 10 },
);

/** One checked filter. */
export interface Filter {
  Name: string;
  Values: string[];
}

/**
 * Checks filter names against those the action supports (`allowed`, plus `tag:<key>` when `allowTagKey`).
 * @throws {ApiError} `InvalidParameterValue` naming the filter.
 */
export function checkFilterNames(
  filters: readonly Filter[],
  allowed: readonly string[],
  allowTagKey = false,
): void {
  filters.forEach((filter, i) => {
    const ok = allowed.includes(filter.Name) || (allowTagKey && /^tag:.+/.test(filter.Name));
    if (!ok) {
      throw invalidParameterValue(
        `Filters.${i}.Name`,
        `${JSON.stringify(filter.Name)} is not a supported filter (supported: ${allowed.join(', ')}` +
          `${allowTagKey ? ', tag:<key>' : ''})`,
      );
    }
  });
}
