/**
 * Local activities as a history shows them: a local activity leaves no ActivityTaskScheduled event, only a
 * `core_local_activity` marker whose data names the activity type and whose result is the activity's return.
 */
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One local activity run recorded in a history. */
export interface LocalActivityRun {
  /** Index of its marker in the events. */
  index: number;
  activityType: string;
  /** The activity's input is not recorded; its result is (undefined for void or a failure). */
  result: unknown;
}

const decode = (data: Uint8Array | null | undefined): unknown =>
  data && data.length > 0 ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;

/** Every local activity recorded in `events`, in order. */
export function localActivityRuns(events: readonly HistoryEvent[]): LocalActivityRun[] {
  return events.flatMap((event, index) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = decode(marker.details?.data?.payloads?.[0]?.data) as { activity_type?: string } | undefined;
    return [
      {
        index,
        activityType: data?.activity_type ?? '',
        result: decode(marker.details?.result?.payloads?.[0]?.data),
      },
    ];
  });
}
