import type { User } from '../store/records.js';
import { invalidQueryString } from './management-error.js';

/**
 * The subset of Auth0's user search (Lucene, search_engine v3) that tests use: `field:"value"` or
 * `field:value` terms, a trailing `*` for a prefix, joined by spaces or AND.
 */
const FIELDS = new Set(['email', 'phone_number', 'user_id', 'name', 'nickname', 'given_name', 'family_name', 'connection', 'email_verified', 'blocked']);
const TERM = /^(?<field>[a-z_]+):(?:"(?<quoted>(?:[^"\\]|\\.)*)"|(?<bare>[^\s"]+))$/;

export function parseUserQuery(q: string): (user: User) => boolean {
  const tokens = tokenize(q.trim()).filter((t) => t !== 'AND');
  const predicates = tokens.map((token) => {
    const match = TERM.exec(token);
    if (!match?.groups || !FIELDS.has(match.groups.field!)) {
      throw invalidQueryString(`Query validation error: unsupported term "${token}". Use field:"value" with ${[...FIELDS].join(', ')}.`);
    }
    const field = match.groups.field!;
    const raw = (match.groups.quoted ?? match.groups.bare ?? '').replace(/\\(.)/g, '$1');
    const prefix = raw.endsWith('*');
    const wanted = (prefix ? raw.slice(0, -1) : raw).toLowerCase();
    return (user: User): boolean => {
      const value = field === 'connection' ? user.connection : (user as unknown as Record<string, unknown>)[field];
      if (value === undefined || value === null) return false;
      const actual = String(value).toLowerCase();
      return prefix ? actual.startsWith(wanted) : actual === wanted;
    };
  });
  return (user) => predicates.every((p) => p(user));
}

function tokenize(q: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < q.length; i++) {
    const ch = q[i]!;
    if (ch === '\\' && quoted && i + 1 < q.length) {
      current += ch + q[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (/\s/.test(ch) && !quoted) {
      if (current) out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) out.push(current);
  return out;
}

/** A user as the Management API returns it: never the password hash. */
export function publicUser(user: User): Record<string, unknown> {
  const { password_hash: _hidden, password_history: _history, connection: _connection, ...rest } = user;
  return rest;
}
