import type { ActionTrigger } from '../../src/tenant/action-model.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readTenantFile } from '../../src/config/tenant-file.js';

/**
 * A Deploy CLI directory export with Actions, written as `a0deploy export --format directory`
 * writes one: actions/<name>.json naming ./actions/<name>/code.js, and triggers/triggers.json
 * binding them in order. The rest of the tenant (clients, connections, APIs) goes in as JSON files.
 */
export interface ExportAction {
  name: string;
  code: string;
  trigger: ActionTrigger;
  dependencies?: { name: string; version: string }[];
  secrets?: { name: string; value?: string }[];
}

export interface WrittenExport {
  dir: string;
  /** The export as Understudy reads it (readTenantFile), ready for buildTestApp's `tenant`. */
  read(): unknown;
  remove(): void;
}

export function writeActionsExport(parts: {
  actions: ExportAction[];
  clients?: Record<string, unknown>[];
  connections?: Record<string, unknown>[];
  resourceServers?: Record<string, unknown>[];
  /** Client grants (grants/<n>.json), e.g. a machine client's Management API grant. */
  grants?: Record<string, unknown>[];
  /** Roles (roles/<name>.json). */
  roles?: Record<string, unknown>[];
}): WrittenExport {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-actions-export-'));
  const write = (path: string, content: unknown): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  };
  write('tenant.json', { friendly_name: 'Actions Test' });
  for (const client of parts.clients ?? []) write(`clients/${String(client.name)}.json`, client);
  for (const connection of parts.connections ?? []) write(`connections/${String(connection.name)}.json`, connection);
  for (const api of parts.resourceServers ?? []) write(`resource-servers/${String(api.name)}.json`, api);
  const triggers: Record<string, { action_name: string; display_name: string }[]> = {};
  for (const action of parts.actions) {
    write(`actions/${action.name}/code.js`, action.code);
    write(`actions/${action.name}.json`, {
      name: action.name,
      code: `./actions/${action.name}/code.js`,
      runtime: 'node22',
      status: 'built',
      deployed: true,
      dependencies: action.dependencies ?? [],
      secrets: action.secrets ?? [],
      supported_triggers: [{ id: action.trigger, version: action.trigger === 'post-login' ? 'v3' : 'v2' }],
    });
    (triggers[action.trigger] ??= []).push({ action_name: action.name, display_name: action.name });
  }
  write('triggers/triggers.json', triggers);
  (parts.grants ?? []).forEach((grant, i) => write(`grants/grant-${i}.json`, grant));
  for (const role of parts.roles ?? []) write(`roles/${String(role.name)}.json`, role);
  return { dir, read: () => readTenantFile(dir), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
