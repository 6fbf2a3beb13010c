import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ACTION_TRIGGERS, NO_ACTIONS, type ActionTrigger, type TenantAction, type TenantActions } from '../actions/action-model.js';
import type { ActionEntry } from './tenant-schema.js';

/**
 * The export's `actions` and `triggers` turned into what the Actions runtime runs: each deployed
 * action bound to a trigger Understudy runs, in trigger order. What cannot run stops start-up with the
 * key that says why (a bound action that does not exist, a dependency not installed beside the
 * export); what runs differently from Auth0 is a warning (a bound action with undeployed changes, a
 * secret without a value, a trigger Understudy does not run).
 */

/** Placeholders exports write where a secret's value would be. */
const NO_VALUE = /^(_VALUE_NOT_SHOWN_|##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@)$/;

export function buildActions(
  entries: ActionEntry[] | undefined,
  triggers: Record<string, { action_name: string }[]> | undefined,
  exportDir: string,
  problems: string[],
  warnings: string[],
): TenantActions {
  if (!entries?.length && !triggers) return NO_ACTIONS;
  const byName = new Map((entries ?? []).map((entry, i) => [entry.name, { entry, i }]));
  const bindings = structuredClone(NO_ACTIONS.bindings);
  const used = new Map<string, TenantAction>();
  for (const [trigger, bound] of Object.entries(triggers ?? {})) {
    if (!(ACTION_TRIGGERS as readonly string[]).includes(trigger)) {
      if (bound.length) warnings.push(`triggers.${trigger}: Understudy runs ${ACTION_TRIGGERS.join(', ')}; the ${bound.length} action(s) bound to ${trigger} do not run`);
      continue;
    }
    bound.forEach(({ action_name: name }, j) => {
      const found = byName.get(name);
      if (!found) {
        problems.push(`triggers.${trigger}[${j}].action_name: no action named "${name}" in actions`);
        return;
      }
      const { entry, i } = found;
      if (entry.code === undefined || entry.code.trim() === '') {
        problems.push(`actions[${i}].code: the action "${name}" is bound to ${trigger} but has no code`);
        return;
      }
      if (entry.deployed === false) {
        warnings.push(`actions[${i}] "${name}": deployed is false (changes not deployed); Understudy runs the exported code, which is the draft`);
      }
      if (!used.has(name)) used.set(name, toAction(entry, i, exportDir, problems, warnings));
      bindings[trigger as ActionTrigger].push(name);
    });
  }
  return { actions: [...used.values()], bindings };
}

function toAction(entry: ActionEntry, i: number, exportDir: string, problems: string[], warnings: string[]): TenantAction {
  const secrets: Record<string, string> = {};
  const missing: string[] = [];
  for (const secret of entry.secrets ?? []) {
    if (secret.value === undefined || NO_VALUE.test(secret.value)) missing.push(secret.name);
    else secrets[secret.name] = secret.value;
  }
  if (missing.length) {
    warnings.push(
      `actions[${i}] "${entry.name}": no value for secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (exports never carry them); ` +
        `event.secrets leaves ${missing.length > 1 ? 'them' : 'it'} out. Give values in an overlay (actions: [{ name: "${entry.name}", secrets: [{ name, value }] }]) or keyword mappings`,
    );
  }
  const dependencies = (entry.dependencies ?? []).map((d) => ({ name: d.name, version: d.version ?? 'latest' }));
  const resolveFromExport = createRequire(join(exportDir, 'package.json'));
  for (const dependency of dependencies) {
    try {
      resolveFromExport.resolve(dependency.name);
    } catch {
      problems.push(
        `actions[${i}].dependencies: the action "${entry.name}" needs the package ${dependency.name}@${dependency.version}, ` +
          `which is not installed beside the export. Run: npm i --prefix ${exportDir} ${dependency.name}@${dependency.version}`,
      );
    }
  }
  return {
    name: entry.name,
    code: entry.code ?? '',
    file: entry.code_file ?? `${exportDir}#actions[${i}]`,
    requireFrom: exportDir,
    dependencies,
    secrets,
  };
}
