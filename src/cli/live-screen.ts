/**
 * The redrawn block of `watch` on a terminal: a table that is replaced in place on every refresh, and under it
 * one progress line with a spinner that turns between refreshes. Only used when stdout is a terminal.
 */
import type { TextSink } from './cli-io';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** How often the spinner turns: fast enough to show life, slow enough to cost nothing. */
const SPIN_INTERVAL_MS = 120;

/** A block of lines redrawn in place, with a spinner line under it. */
export class LiveScreen {
  private drawnLines = 0;
  private progress = '';
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: TextSink,
    /** Terminal width: longer lines are cut so that the line count (and so the redraw) stays right. */
    private readonly columns = 120,
  ) {}

  /** Replaces the block with `lines` and the progress line with `progress`; starts the spinner. */
  draw(lines: readonly string[], progress: string): void {
    const erase = this.drawnLines > 0 ? `\r\x1b[${this.drawnLines}A\x1b[0J` : '\r\x1b[0J';
    const body = lines.map((line) => this.cut(line));
    this.progress = progress;
    this.out.write(`${erase}${body.map((line) => `${line}\n`).join('')}${this.progressLine()}`);
    this.drawnLines = body.length;
    this.timer ??= setInterval(() => this.spin(), SPIN_INTERVAL_MS);
  }

  /** Stops the spinner and erases the progress line, leaving the last table on screen. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.out.write('\r\x1b[2K');
    this.drawnLines = 0;
  }

  private spin(): void {
    this.frame = (this.frame + 1) % SPINNER.length;
    this.out.write(`\r\x1b[2K${this.progressLine()}`);
  }

  private progressLine(): string {
    return this.cut(`${SPINNER[this.frame] ?? ''} ${this.progress}`);
  }

  private cut(line: string): string {
    return line.length < this.columns ? line : `${line.slice(0, this.columns - 2)}…`;
  }
}
