/** Time is injected everywhere so that tests move it instead of sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function createManualClock(start = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (epochMs) => {
      current = epochMs;
    },
  };
}

export const epochSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);

/**
 * The clock the app runs on: a source clock (real time, or a test's manual clock) plus an offset that
 * the dev API moves (`POST /_dev/api/clock`), so OTP expiry, codes, sessions and token times all shift
 * together while time keeps running. Replicas sharing a store share the offset: `share()` hands it
 * the store's shared state, changes go there first, and `sync()` (run as each request starts) reads
 * it back, so a clock moved on one replica is moved on all of them.
 */
export interface ShiftableClock extends Clock {
  offsetMs(): number;
  advance(ms: number): Promise<void>;
  set(epochMs: number): Promise<void>;
  reset(): Promise<void>;
  /** Keeps the offset in shared state from now on (replicas); the current shared offset applies. */
  share(shared: SharedOffset): Promise<void>;
  /** Reads the shared offset again; a no-op for a clock of one process. */
  sync(): Promise<void>;
}

/** Where replicas keep the offset (the store's SharedState). */
export interface SharedOffset {
  clockOffset(): Promise<number>;
  setClockOffset(ms: number): Promise<void>;
  addClockOffset(ms: number): Promise<number>;
}

export const isShiftableClock = (clock: Clock): clock is ShiftableClock => 'offsetMs' in clock && 'share' in clock;

export function createShiftableClock(source: Clock = systemClock): ShiftableClock {
  let offset = 0;
  let shared: SharedOffset | undefined;
  return {
    now: () => source.now() + offset,
    offsetMs: () => offset,
    advance: async (ms) => {
      offset = shared ? await shared.addClockOffset(ms) : offset + ms;
    },
    set: async (epochMs) => {
      const next = epochMs - source.now();
      if (shared) await shared.setClockOffset(next);
      offset = next;
    },
    reset: async () => {
      if (shared) await shared.setClockOffset(0);
      offset = 0;
    },
    share: async (state) => {
      shared = state;
      offset = await state.clockOffset();
    },
    sync: async () => {
      if (shared) offset = await shared.clockOffset();
    },
  };
}
