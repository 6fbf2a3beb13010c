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
 * together while time keeps running.
 */
export interface ShiftableClock extends Clock {
  offsetMs(): number;
  advance(ms: number): void;
  set(epochMs: number): void;
  reset(): void;
}

export function createShiftableClock(source: Clock = systemClock): ShiftableClock {
  let offset = 0;
  return {
    now: () => source.now() + offset,
    offsetMs: () => offset,
    advance: (ms) => {
      offset += ms;
    },
    set: (epochMs) => {
      offset = epochMs - source.now();
    },
    reset: () => {
      offset = 0;
    },
  };
}
