import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isWithin } from './export-files.js';
import { ACTION_TRIGGERS, NO_ACTIONS, type ActionTrigger, type TenantAction, type TenantActions } from '../tenant/action-model.js';
import type { ActionEntry } from './tenant-schema.js';

/**
 * The export's `actions` and `triggers` turned into what the Actions runtime runs: each deployed
 * action bound to a trigger Understudy runs, in trigger order. What cannot run stops start-up with the
 * key that says why (a bound action that does not exist, or has no code); what runs differently from
 * Auth0 is a warning (a bound action with undeployed changes, a secret without a value, a trigger
 * Understudy does not run).
 *
 * An action whose npm packages are not installed beside the export does not stop start-up: the
 * server starts, one warning prints the single command that installs every package the export's
 * actions need, and each login through such an action fails with `access_denied` and that command.
 * Everything that does not pass through it (other triggers, machine-to-machine tokens, the dev
 * mailbox and its tenant report) can be used meanwhile, and the failure says exactly what to run.
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
      if (!used.has(name)) used.set(name, toAction(entry, i, exportDir, warnings));
      bindings[trigger as ActionTrigger].push(name);
    });
  }
  const actions = [...used.values()];
  if (actions.length) problems.push(...linksLeaving(join(exportDir, 'node_modules')));
  withMissingPackages(actions, exportDir, warnings);
  return { actions, bindings };
}

function toAction(entry: ActionEntry, i: number, exportDir: string, warnings: string[]): TenantAction {
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
  return {
    name: entry.name,
    code: entry.code ?? '',
    file: entry.code_file ?? `${exportDir}#actions[${i}]`,
    requireFrom: exportDir,
    dependencies: (entry.dependencies ?? []).map((d) => ({ name: d.name, version: d.version ?? 'latest' })),
    secrets,
    unavailable: undefined,
  };
}

/**
 * Marks the actions whose packages are not installed beside the export, and prints one command that
 * installs every missing package of every action at once.
 */
function withMissingPackages(actions: TenantAction[], exportDir: string, warnings: string[]): void {
  const resolveFromExport = createRequire(join(exportDir, 'package.json'));
  const installed = (name: string): boolean => {
    try {
      resolveFromExport.resolve(name);
      return true;
    } catch {
      return false;
    }
  };
  const missingBy = new Map(actions.map((action) => [action.name, action.dependencies.filter((d) => !installed(d.name))]));
  const specs = [...new Set([...missingBy.values()].flat().map((d) => `${d.name}@${d.version}`))];
  if (!specs.length) return;
  const command = `npm i --prefix ${shellQuote(exportDir)} ${specs.map(shellQuote).join(' ')}`;
  for (const action of actions) {
    const missing = missingBy.get(action.name) ?? [];
    if (!missing.length) continue;
    action.unavailable = `The action "${action.name}" needs ${missing.map((d) => `${d.name}@${d.version}`).join(', ')}, not installed beside the export. Run: ${command}`;
  }
  const names = actions.filter((a) => a.unavailable).map((a) => `"${a.name}"`);
  warnings.push(`actions ${names.join(', ')}: their npm packages are not installed beside the export, so logins through them fail with access_denied until you run: ${command}`);
  const versions = new Map<string, Set<string>>();
  for (const spec of [...missingBy.values()].flat()) versions.set(spec.name, (versions.get(spec.name) ?? new Set()).add(spec.version));
  for (const [name, seen] of versions) {
    if (seen.size > 1) warnings.push(`actions: the package ${name} is wanted at ${[...seen].join(' and ')}; the export's node_modules holds one version, which every action then loads (Auth0 keeps each action's own)`);
  }
}

/**
 * The actions' process may read the export's node_modules and nothing else; a symbolic link in it
 * to a folder or file outside would carry that read permission out. npm links inside the tree
 * (node_modules/.bin) are fine; anything that leaves it stops start-up, named.
 */
function linksLeaving(modules: string): string[] {
  if (!existsSync(modules)) return [];
  const root = realpathSync(modules);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(path);
        } catch {
          continue; // A dangling link reads nothing.
        }
        if (!isWithin(root, target)) found.push(`${path} links to ${target}, outside the export's node_modules: the actions' process may read only the export's packages; install the package there instead of linking it (npm i --prefix ${dirname(modules)} <package>)`);
      } else if (entry.isDirectory()) walk(path);
    }
  };
  walk(modules);
  return found;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./^~<>-]+$/.test(value) && !/[<>]/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
