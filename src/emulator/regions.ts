/**
 * Regions and zones. The Batch pages mark `Region` required for every action but RetryJobs (the seed
 * document: "not required for this API"); a region the product does not serve gets `UnsupportedRegion`.
 * Zone IDs are `<region>-<n>` (ap-guangzhou-3, ap-shanghai-fsi-1); a zone outside the request's region gets
 * `InvalidZone.MismatchRegion`, the code the official lists give SubmitJob and DescribeJobs for it.
 */
import { ApiError, missingParameter } from './api-error';
import type { BatchAction } from './batch-api-constants';

/**
 * The API 3.0 public regions (the Request Structure pages' list) plus the two financial ones. Batch's own
 * region list is not published in a form the emulator could follow exactly: this is the upper bound.
 */
export const BATCH_REGIONS = [
  'ap-guangzhou',
  'ap-shanghai',
  'ap-nanjing',
  'ap-beijing',
  'ap-chengdu',
  'ap-chongqing',
  'ap-hongkong',
  'ap-singapore',
  'ap-bangkok',
  'ap-mumbai',
  'ap-seoul',
  'ap-tokyo',
  'na-ashburn',
  'na-siliconvalley',
  'eu-frankfurt',
  'ap-shanghai-fsi',
  'ap-shenzhen-fsi',
] as const;

/** Actions whose documentation says the Region parameter is optional. */
const REGION_OPTIONAL: readonly BatchAction[] = ['RetryJobs'];

/**
 * Checks the request's region.
 * @throws {ApiError} `MissingParameter` when the action requires one and it is absent, `UnsupportedRegion`
 *   when Batch does not serve it.
 */
export function checkRegion(action: BatchAction, region: string | undefined): void {
  if (region === undefined || region === '') {
    if (REGION_OPTIONAL.includes(action)) return;
    throw missingParameter('Region');
  }
  if (!(BATCH_REGIONS as readonly string[]).includes(region)) {
    throw new ApiError('UnsupportedRegion', `The ${action} action does not support the region ${region}.`);
  }
}

/** The region a zone ID belongs to (`ap-guangzhou-3` → `ap-guangzhou`), or undefined if it is not a zone ID. */
export function regionOfZone(zone: string): string | undefined {
  return /^([a-z]+(?:-[a-z]+)+)-\d+$/.exec(zone)?.[1];
}

/**
 * Checks that a zone is a zone of the request's region (any region when the request named none).
 * @throws {ApiError} `InvalidZone.MismatchRegion` naming the parameter.
 */
export function checkZone(zone: string, region: string | undefined, path: string): void {
  const zoneRegion = regionOfZone(zone);
  if (zoneRegion !== undefined && (region === undefined || zoneRegion === region)) return;
  throw new ApiError(
    'InvalidZone.MismatchRegion',
    `The zone ${JSON.stringify(zone)} in \`${path}\` does not exist in the region ${region ?? '(none)'}.`,
  );
}

/** True when a job placed in `zone` belongs to `region` (every job does when the request named no region). */
export function zoneInRegion(zone: string, region: string | undefined): boolean {
  return region === undefined || regionOfZone(zone) === region;
}
