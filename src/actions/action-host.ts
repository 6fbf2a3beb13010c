import type { ChildProcess } from 'node:child_process';
import { nanoid } from 'nanoid';
import type { ActionTrigger } from '../tenant/action-model.js';
import { parseHostMessage, type HostMessage } from './host-messages.js';
import { TIMEOUT_MESSAGE, type ActionSource, type ExecutionResult, type HostOptions } from './host-contract.js';

export { TIMEOUT_MESSAGE, type ActionLogLine, type ActionSource, type ExecutionResult, type HostOptions } from './host-contract.js';
import { RestartPolicy } from './restart-policy.js';
import { LineRate, forkHost, watchResidentMemory } from './host-process.js';

/**
 * One action's own Node process (src/actions/actions-host.cjs): its code, its events and its secrets
 * live there and nowhere else, so no action reads another's. The process runs under Node's
 * permission model (no file writes, no child processes, no workers; reads only of the host file,
 * the export's node_modules and the local CA) with an empty environment.
 *
 * The server trusts nothing it sends: every message is checked (host-messages.ts), and anything
 * else replaces the process. So does running past the time limit, or past the memory limit
 * (resident memory, read from /proc, which Buffers do not escape as they escape V8's heap limit).
 * Restarts wait longer after each crash in a row (restart-policy.ts).
 */
interface Pending {
  resolve: (result: ExecutionResult) => void;
  timer: NodeJS.Timeout;
}

export class ActionHost {
  private process: ChildProcess | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly policy: RestartPolicy;
  private closed = false;
  /** Set once the first start loaded the code: only then is a process that ends started again. */
  private running = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;
  private readonly lines: LineRate;
  /** Executions waiting out a restart's delay, told when the next process is there. */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly source: ActionSource,
    private readonly options: HostOptions,
  ) {
    this.policy = new RestartPolicy(options.restart);
    const perSecond = options.logLinesPerSecond ?? 100;
    this.lines = new LineRate(perSecond, (count) => this.emit('warn', `${count} more console line(s) dropped: an action may log ${perSecond} lines a second`));
  }

  get name(): string {
    return this.source.name;
  }

  /** Starts the process and compiles the action; rejects with the action's load error. Never restarts on its own until started once. */
  async start(): Promise<void> {
    const failure = await this.spawn();
    if (failure) {
      this.closed = true;
      throw new Error(failure);
    }
    this.running = true;
  }

  /** Runs the action for one trigger within `timeoutMs`; never rejects: a failure is part of the result. */
  async execute(trigger: ActionTrigger, event: unknown, timeoutMs = this.options.timeoutMs): Promise<ExecutionResult> {
    const started = Date.now();
    // Between a crash and the next start, an execution waits (within its time) unless the circuit is open.
    if (!this.process?.connected && !this.policy.open && this.running && !this.closed) await this.nextProcess(timeoutMs);
    const host = this.process;
    if (!host?.connected) {
      const why = this.closed
        ? `The action "${this.name}" is not running`
        : this.policy.open
          ? `The action "${this.name}" is not running: its process ended ${this.policy.crashesInARow} times in a row, and is tried again with a growing wait`
          : `The action "${this.name}" is not running: its process is starting again`;
      return { calls: [], failure: { kind: 'host_ended', message: why } };
    }
    return this.run(host, trigger, event, Math.max(1, timeoutMs - (Date.now() - started)));
  }

  private nextProcess(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiting.push(done);
    });
  }

  private run(host: ChildProcess, trigger: ActionTrigger, event: unknown, timeoutMs: number): Promise<ExecutionResult> {
    const id = nanoid();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ calls: [], failure: { kind: 'timeout', message: TIMEOUT_MESSAGE } });
        // A loop that never yields holds the process's only thread: nothing but a new process frees it.
        this.replace(host, `it ran past ${timeoutMs} ms`);
      }, Math.max(1, timeoutMs));
      this.pending.set(id, { resolve, timer });
      try {
        host.send({ type: 'run', id, trigger, event });
      } catch (err) {
        // The event could not be sent (the process is going away): answered at once.
        clearTimeout(timer);
        this.pending.delete(id);
        resolve({ calls: [], failure: { kind: 'host_ended', message: `the action's process could not take the event: ${(err as Error).message}` } });
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.memoryTimer);
    const host = this.process;
    this.process = undefined;
    this.failAll('the server is stopping');
    for (const wake of this.waiting.splice(0)) wake();
    if (host && host.exitCode === null && host.signalCode === null) {
      await new Promise<void>((resolve) => {
        host.once('exit', () => resolve());
        host.kill('SIGKILL');
      });
    }
  }

  /** Spawns the process and loads the action: undefined once loaded, else why not. */
  private spawn(): Promise<string | undefined> {
    const host = forkHost(this.source.requireFrom, this.options.caFile);
    this.process = host;
    this.policy.started();
    for (const wake of this.waiting.splice(0)) wake();
    host.on('error', () => {
      // A failed send or kill on a process that is going away; its 'exit' handles the rest.
    });
    host.on('exit', (code, signal) => this.ended(host, signal ?? `exit code ${code}`));
    const limitMb = this.options.memoryLimitMb ?? 256;
    clearInterval(this.memoryTimer);
    this.memoryTimer = watchResidentMemory(host, limitMb, (megabytes) => this.replace(host, `it used ${megabytes} MB, more than ${limitMb} MB`));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        host.off('message', onLoaded);
        this.replace(host, `loading took longer than ${this.options.timeoutMs} ms`);
        resolve(`loading took longer than ${this.options.timeoutMs} ms`);
      }, this.options.timeoutMs);
      const onLoaded = (raw: unknown): void => {
        const message = parseHostMessage(raw);
        if (message?.type !== 'loaded') return;
        clearTimeout(timer);
        host.off('message', onLoaded);
        if (message.error) this.replace(host, 'its code did not load');
        resolve(message.error);
      };
      host.on('message', onLoaded);
      host.on('message', (raw: unknown) => this.receive(host, raw));
      try {
        host.send({ type: 'load', action: this.source });
      } catch {
        // The process is already gone; its 'exit' schedules the next start.
      }
    });
  }

  private receive(host: ChildProcess, raw: unknown): void {
    if (host !== this.process) return;
    const message: HostMessage | undefined = parseHostMessage(raw);
    if (!message) {
      this.replace(host, 'it sent a message Understudy does not accept');
      return;
    }
    if (message.type === 'log') {
      this.log(message.level, message.line);
      return;
    }
    if (message.type !== 'done') return;
    const pending = this.pending.get(message.id);
    if (!pending) {
      this.replace(host, 'it answered an execution it was never given');
      return;
    }
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    this.policy.served();
    pending.resolve({ calls: message.calls, ...(message.error !== undefined ? { failure: { kind: 'threw', message: message.error } } : {}) });
  }

  /** Console lines, at most `logLinesPerSecond` (host-process.ts). */
  private log(level: string, line: string): void {
    if (this.lines.admits()) this.emit(level, line);
  }

  private emit(level: string, line: string): void {
    this.options.onLog({ action: this.name, level, line, at: new Date().toISOString() });
  }

  /** Kills the process; its 'exit' fails what it was running and schedules the next start. */
  private replace(host: ChildProcess, reason: string): void {
    if (host !== this.process) return;
    this.process = undefined;
    this.failAll(`the action's process was replaced: ${reason}`);
    host.kill('SIGKILL');
    this.scheduleRestart(reason);
  }

  private ended(host: ChildProcess, how: string): void {
    if (host !== this.process) return;
    this.process = undefined;
    this.failAll(`the action's process ended (${how})`);
    this.scheduleRestart(`its process ended (${how})`);
  }

  private scheduleRestart(reason: string): void {
    clearInterval(this.memoryTimer);
    // A first start that fails is start()'s to report; nothing is started again.
    if (this.closed || !this.running) return;
    this.options.onRestart?.(this.name, reason);
    const delay = this.policy.crashed();
    clearTimeout(this.restartTimer);
    // The circuit is open: executions waiting for this restart fail now rather than wait it out.
    if (this.policy.open) for (const wake of this.waiting.splice(0)) wake();
    // At once, the process is there for the next execution, which it runs as soon as the code has loaded.
    if (delay === 0) {
      void this.spawn().catch(() => this.scheduleRestart('it could not be started'));
      return;
    }
    this.restartTimer = setTimeout(() => {
      if (!this.closed) void this.spawn().catch(() => this.scheduleRestart('it could not be started'));
    }, delay);
    this.restartTimer.unref();
  }

  private failAll(message: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ calls: [], failure: { kind: 'host_ended', message } });
      this.pending.delete(id);
    }
  }
}
