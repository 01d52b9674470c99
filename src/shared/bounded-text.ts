/** The longest text the package stores from the API (a StateReason, a timeline detail): enough to read. */
export const MAX_TEXT_CHARS = 500;

/** `text` cut to {@link MAX_TEXT_CHARS}, saying how long it was: a stack trace as a reason cannot bloat history. */
export function boundedText(text: string): string;
export function boundedText(text: string | undefined): string | undefined;
export function boundedText(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= MAX_TEXT_CHARS) return text;
  return `${text.slice(0, MAX_TEXT_CHARS - 20)}… (${text.length} chars)`;
}
