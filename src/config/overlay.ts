import { ConfigError } from './config-error.js';

/**
 * An overlay keeps a Deploy CLI export untouched: a second file, in tenant-file keys, merged onto the
 * export at start-up (--overlay <file> / UNDERSTUDY_OVERLAY). It pins what an export leaves out or
 * what must differ offline: a client's real `client_id` and `client_secret` (exports carry none by
 * default), seed `users`, an action's secrets, a feature switched off.
 *
 * Entries of the export's lists are matched by their natural key: clients, connections (also the
 * export's `databases`), roles and actions by `name`, resource servers by `identifier`. A matched
 * entry's keys are merged in (objects key by key, anything else replaced); an overlay entry that
 * matches nothing stops start-up, naming it, since a typo would otherwise be silently ignored.
 * `users` and `clientGrants` are added to the export's; every other key is merged as an object or
 * replaced.
 */
const MATCHED: Record<string, { key: string; alsoIn?: string }> = {
  clients: { key: 'name' },
  connections: { key: 'name', alsoIn: 'databases' },
  databases: { key: 'name', alsoIn: 'connections' },
  resourceServers: { key: 'identifier' },
  roles: { key: 'name' },
  actions: { key: 'name' },
};
const APPENDED = new Set(['users', 'clientGrants']);

type Doc = Record<string, unknown>;
const isObject = (value: unknown): value is Doc => value !== null && typeof value === 'object' && !Array.isArray(value);

export function applyOverlay(exported: unknown, overlay: unknown, overlaySource: string): unknown {
  if (overlay === null || overlay === undefined) return exported;
  if (!isObject(overlay)) throw new ConfigError(overlaySource, ['(root): an overlay is an object of tenant-file keys, such as clients: [{ name: …, client_id: … }]']);
  const out: Doc = structuredClone(isObject(exported) ? exported : {});
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overlay)) {
    const match = MATCHED[key];
    if (match) {
      if (!Array.isArray(value)) {
        problems.push(`${key}: must be a list of entries named by ${match.key}`);
        continue;
      }
      value.forEach((entry, i) => {
        const id = isObject(entry) ? entry[match.key] : undefined;
        if (typeof id !== 'string' || !id) {
          problems.push(`${key}[${i}].${match.key}: required, to find the entry of the export it changes`);
          return;
        }
        const target = [key, ...(match.alsoIn ? [match.alsoIn] : [])]
          .flatMap((list) => (Array.isArray(out[list]) ? (out[list] as unknown[]) : []))
          .find((candidate) => isObject(candidate) && candidate[match.key] === id);
        if (!isObject(target)) {
          problems.push(`${key}[${i}].${match.key}: "${id}" matches no ${key === 'resourceServers' ? 'resource server' : key.replace(/s$/, '')} in the export`);
          return;
        }
        mergeInto(target, entry as Doc);
      });
    } else if (APPENDED.has(key) && Array.isArray(value)) {
      out[key] = [...(Array.isArray(out[key]) ? (out[key] as unknown[]) : []), ...value];
    } else if (isObject(value) && isObject(out[key])) {
      mergeInto(out[key] as Doc, value);
    } else {
      out[key] = structuredClone(value);
    }
  }
  if (problems.length) throw new ConfigError(overlaySource, problems);
  return out;
}

function mergeInto(target: Doc, source: Doc): void {
  for (const [key, value] of Object.entries(source)) {
    if (isObject(value) && isObject(target[key])) mergeInto(target[key] as Doc, value);
    else target[key] = structuredClone(value);
  }
}
