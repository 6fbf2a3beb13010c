import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import type { ActionTrigger } from './action-model.js';

/**
 * Runs Action code in a separate Node process (src/actions/actions-host.cjs) and hands back the `api`
 * calls each execution made. Why a process and not a worker thread: a worker shares the server's
 * process, so code that escapes its sandbox (vm is not a security boundary) could write files or
 * spawn programs. A child process runs under Node's permission model, which refuses both, with an
 * empty environment. Measured on this machine, an IPC round trip costs 7 µs against 5 µs for a worker
 * message: nothing next to a login.
 *
 * An execution that outlives its time limit (a loop that never yields, a promise that never settles)
 * is failed, and the host is killed and started again with the same code.
 */
export interface ActionSource {
  name: string;
  code: string;
  /** Where the code came from, for stack traces and messages. */
  file: string;
  /** The folder whose node_modules the action's `require` resolves packages from. */
  requireFrom: string;
}

export type ActionCall = [method: string, ...args: unknown[]];

export interface ExecutionResult {
  calls: ActionCall[];
  /** Set when the action threw, timed out, or the host ended under it. */
  failure?: { kind: 'threw' | 'timeout' | 'host_ended'; message: string };
}

export interface ActionLogLine {
  action: string;
  level: string;
  line: string;
  at: string;
}

export interface ActionsRuntimeOptions {
  timeoutMs: number;
  onLog: (line: ActionLogLine) => void;
  onHostRestart?: (reason: string) => void;
  /** A CA certificate file the actions' HTTPS calls trust besides the system's (Understudy's local CA). */
  caFile?: string;
}

interface Pending {
  action: string;
  resolve: (result: ExecutionResult) => void;
  timer: NodeJS.Timeout;
}

/** Thrown at start-up when an action's code does not compile or its top level throws. */
export class ActionLoadError extends Error {
  constructor(readonly failures: { name: string; message: string }[]) {
    super(failures.map((f) => `${f.name}: ${f.message}`).join('; '));
    this.name = 'ActionLoadError';
  }
}

/** Auth0's words when a trigger runs out of time. */
export const TIMEOUT_MESSAGE = 'Request to Webtask exceeded allowed execution time';

const HOST_FILE = fileURLToPath(new URL('./actions-host.cjs', import.meta.url));

/** Node 20 names the permission model experimental; 22.13 and later accept `--permission`. */
function permissionFlag(): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13) ? '--permission' : '--experimental-permission';
}

export class ActionsRuntime {
  private host: ChildProcess | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  private constructor(
    private readonly sources: ActionSource[],
    private readonly options: ActionsRuntimeOptions,
  ) {}

  /** Starts the host and compiles every action once; rejects with ActionLoadError naming the broken ones. */
  static async start(sources: ActionSource[], options: ActionsRuntimeOptions): Promise<ActionsRuntime> {
    const runtime = new ActionsRuntime(sources, options);
    await runtime.spawn();
    return runtime;
  }

  private spawn(): Promise<void> {
    const caFile = this.options.caFile;
    const readable = [HOST_FILE, ...(caFile ? [caFile] : []), ...new Set(this.sources.map((s) => join(s.requireFrom, 'node_modules')).filter((dir) => existsSync(dir)))];
    const host = fork(HOST_FILE, [], {
      execArgv: [permissionFlag(), ...readable.map((path) => `--allow-fs-read=${path}`), '--no-warnings', '--max-old-space-size=128'],
      // Nothing of the server's environment: its secrets stay out of reach of the actions' code.
      env: caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {},
      cwd: dirname(HOST_FILE),
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'json',
    });
    this.host = host;
    host.on('message', (message: HostMessage) => this.receive(message));
    host.on('exit', (code, signal) => {
      if (this.host !== host) return;
      this.host = undefined;
      this.failAll('host_ended', `the Actions process ended (${signal ?? `exit code ${code}`})`);
      if (!this.closed) void this.restart(`exited with ${signal ?? code}`);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new ActionLoadError([{ name: '(all actions)', message: `loading took longer than ${this.options.timeoutMs} ms` }]));
        host.kill('SIGKILL');
      }, this.options.timeoutMs);
      const onLoaded = (message: HostMessage): void => {
        if (message.type !== 'loaded') return;
        clearTimeout(timer);
        host.off('message', onLoaded);
        if (message.errors.length) {
          this.closed = true;
          host.kill('SIGKILL');
          reject(new ActionLoadError(message.errors));
        } else resolve();
      };
      host.on('message', onLoaded);
      host.send({ type: 'load', actions: this.sources });
    });
  }

  private async restart(reason: string): Promise<void> {
    this.options.onHostRestart?.(reason);
    try {
      await this.spawn();
    } catch {
      // Code that loaded once loads again; a failure here leaves executions failing with host_ended.
    }
  }

  /** Runs one action for one trigger within `timeoutMs`; never rejects: a failure is part of the result. */
  execute(action: string, trigger: ActionTrigger, event: unknown, timeoutMs = this.options.timeoutMs): Promise<ExecutionResult> {
    const host = this.host;
    if (!host?.connected) return Promise.resolve({ calls: [], failure: { kind: 'host_ended', message: 'the Actions process is not running' } });
    const id = nanoid();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ calls: [], failure: { kind: 'timeout', message: TIMEOUT_MESSAGE } });
        // A loop that never yields holds the host's only thread: nothing but a new process frees it.
        if (this.host === host) {
          this.host = undefined;
          this.failAll('host_ended', `the Actions process was restarted because "${action}" ran out of time`);
          host.kill('SIGKILL');
          void this.restart(`"${action}" exceeded ${timeoutMs} ms`);
        }
      }, Math.max(1, timeoutMs));
      this.pending.set(id, { action, resolve, timer });
      host.send({ type: 'run', id, action, trigger, event });
    });
  }

  private receive(message: HostMessage): void {
    if (message.type === 'log') {
      this.options.onLog({ action: message.action ?? '(unknown)', level: message.level, line: message.line, at: new Date().toISOString() });
      return;
    }
    if (message.type !== 'done') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    pending.resolve({ calls: message.calls, ...(message.error ? { failure: { kind: 'threw', message: message.error.message } } : {}) });
  }

  private failAll(kind: 'host_ended', message: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ calls: [], failure: { kind, message } });
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const host = this.host;
    this.host = undefined;
    this.failAll('host_ended', 'the server is stopping');
    if (host && host.exitCode === null) {
      await new Promise<void>((resolve) => {
        host.once('exit', () => resolve());
        host.kill('SIGKILL');
      });
    }
  }
}

type HostMessage =
  | { type: 'loaded'; errors: { name: string; message: string }[] }
  | { type: 'log'; id?: string; action?: string; level: string; line: string }
  | { type: 'done'; id: string; calls: ActionCall[]; error?: { message: string } };
