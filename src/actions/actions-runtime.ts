import type { ActionTrigger } from '../tenant/action-model.js';
import { ActionHost, TIMEOUT_MESSAGE, type ActionLogLine, type ActionSource, type ExecutionResult, type HostOptions } from './action-host.js';
import type { ActionCall } from './host-messages.js';

export { TIMEOUT_MESSAGE, type ActionCall, type ActionLogLine, type ActionSource, type ExecutionResult };

/**
 * Runs a tenant's Action code, each action in a Node process of its own (actions/action-host.ts), and
 * hands back the `api` calls each execution made. Why processes and not worker threads or vm
 * contexts: a worker or a context shares the server's process, and vm is not a security boundary, so
 * code that escapes could write files, spawn programs or read the server's keys. A process of its own
 * per action also keeps each action's events and secrets from every other action's code.
 */
export type ActionsRuntimeOptions = Omit<HostOptions, 'onRestart'> & { onHostRestart?: (action: string, reason: string) => void };

/** Thrown at start-up when an action's code does not compile or its top level throws. */
export class ActionLoadError extends Error {
  constructor(readonly failures: { name: string; message: string }[]) {
    super(failures.map((f) => `${f.name}: ${f.message}`).join('; '));
    this.name = 'ActionLoadError';
  }
}

export class ActionsRuntime {
  private constructor(private readonly hosts: Map<string, ActionHost>) {}

  /** Starts every action's process at once and compiles its code; rejects with ActionLoadError naming each broken one. */
  static async start(sources: ActionSource[], options: ActionsRuntimeOptions): Promise<ActionsRuntime> {
    const { onHostRestart, ...rest } = options;
    const hosts = sources.map((source) => new ActionHost(source, { ...rest, ...(onHostRestart ? { onRestart: onHostRestart } : {}) }));
    const started = await Promise.allSettled(hosts.map((host) => host.start()));
    const failures = started.flatMap((result, i) => (result.status === 'rejected' ? [{ name: hosts[i]!.name, message: (result.reason as Error).message }] : []));
    if (failures.length) {
      await Promise.all(hosts.map((host) => host.close()));
      throw new ActionLoadError(failures);
    }
    return new ActionsRuntime(new Map(hosts.map((host) => [host.name, host])));
  }

  /** Runs one action for one trigger within `timeoutMs`; never rejects: a failure is part of the result. */
  execute(action: string, trigger: ActionTrigger, event: unknown, timeoutMs?: number): Promise<ExecutionResult> {
    const host = this.hosts.get(action);
    if (!host) return Promise.resolve({ calls: [], failure: { kind: 'host_ended', message: `the action "${action}" is not loaded` } });
    return host.execute(trigger, event, timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all([...this.hosts.values()].map((host) => host.close()));
  }
}
