import type { ActionCall } from './host-messages.js';
import type { RestartPolicyOptions } from './restart-policy.js';

/** What an action's process is given and gives back (actions/action-host.ts runs it). */
export interface ActionSource {
  name: string;
  code: string;
  /** Where the code came from, for stack traces and messages. */
  file: string;
  /** The folder whose node_modules the action's `require` resolves packages from. */
  requireFrom: string;
}

export interface ExecutionResult {
  calls: ActionCall[];
  /** Set when the action threw, timed out, or its process ended under it. */
  failure?: { kind: 'threw' | 'timeout' | 'host_ended'; message: string };
}

export interface ActionLogLine {
  action: string;
  level: string;
  line: string;
  at: string;
}

export interface HostOptions {
  timeoutMs: number;
  onLog: (line: ActionLogLine) => void;
  onRestart?: (action: string, reason: string) => void;
  /** A CA certificate file the action's HTTPS calls trust besides the system's (Understudy's local CA). */
  caFile?: string;
  /** Resident memory, in MB, past which the process is replaced (default 256). */
  memoryLimitMb?: number;
  /** Console lines per second an action may log; the rest are counted and dropped (default 100). */
  logLinesPerSecond?: number;
  restart?: RestartPolicyOptions;
}

/** Auth0's words when a trigger runs out of time. */
export const TIMEOUT_MESSAGE = 'Request to Webtask exceeded allowed execution time';
