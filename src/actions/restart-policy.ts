/**
 * When a crashed Actions host starts again. The first crash restarts it at once (a timeout or one bad
 * login should not fail the next); each further crash in a row doubles the wait (a quarter second,
 * then half, up to 30 s), so code that kills its process every time cannot spin the server's CPU on
 * restarts. After five crashes in a row the circuit opens: logins through the action fail at once with
 * a message saying so, while the host keeps being tried at the longest wait. A host that serves an
 * execution, or stays up for a minute, is healthy again.
 */
export interface RestartPolicyOptions {
  baseMs?: number;
  maxMs?: number;
  /** Crashes in a row that open the circuit. */
  tripAfter?: number;
  /** Time up after which a host counts as healthy. */
  healthyAfterMs?: number;
  now?: () => number;
}

export class RestartPolicy {
  private crashes = 0;
  private startedAt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly tripAfter: number;
  private readonly healthyAfterMs: number;
  private readonly now: () => number;

  constructor(options: RestartPolicyOptions = {}) {
    this.baseMs = options.baseMs ?? 250;
    this.maxMs = options.maxMs ?? 30_000;
    this.tripAfter = options.tripAfter ?? 5;
    this.healthyAfterMs = options.healthyAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The host started (again). */
  started(): void {
    this.startedAt = this.now();
  }

  /** An execution completed: the host works. */
  served(): void {
    this.crashes = 0;
  }

  /** The host ended unasked; how long to wait before the next start. */
  crashed(): number {
    if (this.startedAt && this.now() - this.startedAt >= this.healthyAfterMs) this.crashes = 0;
    this.crashes += 1;
    return this.crashes === 1 ? 0 : Math.min(this.maxMs, this.baseMs * 2 ** (this.crashes - 2));
  }

  get open(): boolean {
    return this.crashes >= this.tripAfter;
  }

  get crashesInARow(): number {
    return this.crashes;
  }
}
