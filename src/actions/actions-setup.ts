import type { Logger } from 'pino';
import type { TenantActions } from '../tenant/action-model.js';
import { ActionLoadError, ActionsRuntime } from './actions-runtime.js';
import { ActionLogBook } from './action-log.js';
import { TriggerFlows } from './trigger-flows.js';
import { ConfigError } from '../startup-error.js';

/** Auth0 gives one trigger's actions 20 seconds in all. */
export const DEFAULT_TRIGGER_BUDGET_MS = 20_000;

export interface TenantActionsRunner {
  flows: TriggerFlows;
  logs: ActionLogBook;
  close(): Promise<void>;
}

/**
 * Starts the Actions runtime when the tenant binds any action (no process otherwise), and wires its
 * console lines and notices to the server log, tagged with the action, and to the mailbox's Logs panel.
 * Code that does not compile stops start-up naming the action.
 */
export async function startTenantActions(
  actions: TenantActions,
  deps: { log: Logger; tenantId: string; budgetMs?: number; caFile?: string; mfaFactors?: () => readonly string[] },
): Promise<TenantActionsRunner> {
  const logs = new ActionLogBook();
  const budgetMs = deps.budgetMs ?? DEFAULT_TRIGGER_BUDGET_MS;
  let runtime: ActionsRuntime | undefined;
  // An action whose packages are missing is not loaded: its logins fail with the command that installs them.
  const runnable = actions.actions.filter((action) => !action.unavailable);
  if (runnable.length) {
    try {
      runtime = await ActionsRuntime.start(runnable, {
        // Loading is given the trigger budget too: top-level code that never ends is a broken action.
        timeoutMs: budgetMs,
        ...(deps.caFile ? { caFile: deps.caFile } : {}),
        onLog: (line) => {
          logs.add(line);
          deps.log.info({ action: line.action, level: line.level }, `action ${line.action}: ${line.line}`);
        },
        onHostRestart: (action, reason) => {
          logs.add({ action, level: 'notice', line: `its process was started again: ${reason}`, at: new Date().toISOString() });
          deps.log.warn({ action, reason }, `action ${action}: its process was started again: ${reason}`);
        },
      });
    } catch (err) {
      if (err instanceof ActionLoadError) {
        throw new ConfigError('actions', err.failures.map((f) => `the action "${f.name}" cannot start: ${f.message}`));
      }
      throw err;
    }
  }
  const flows = new TriggerFlows({
    actions,
    runtime,
    tenantId: deps.tenantId,
    budgetMs,
    now: () => Date.now(),
    ...(deps.mfaFactors ? { mfaFactors: deps.mfaFactors } : {}),
    notify: (notice) => {
      logs.add({ action: notice.action, level: 'notice', line: notice.message, at: new Date().toISOString() });
      deps.log.warn({ action: notice.action }, `action ${notice.action}: ${notice.message}`);
    },
  });
  return { flows, logs, close: async () => runtime?.close() };
}
