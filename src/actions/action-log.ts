import type { ActionLogLine } from './actions-runtime.js';

/**
 * The Actions' console output and Understudy's notices about them (an api call not emulated, a
 * failure), newest last, for the dev mailbox page's Logs panel. Bounded: the oldest lines go first.
 * Kept per process: each replica shows the lines of the logins it ran.
 */
export class ActionLogBook {
  private readonly lines: ActionLogLine[] = [];

  constructor(private readonly limit = 500) {}

  add(line: ActionLogLine): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }

  /** Newest first, at most `max`. */
  recent(max = 200): ActionLogLine[] {
    return this.lines.slice(-max).reverse();
  }

  clear(): void {
    this.lines.length = 0;
  }
}
