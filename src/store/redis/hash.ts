/**
 * How records sit in Redis hashes: one field per property, its value as JSON, and 'u' for an
 * undefined value, so a reader tells `rotatedAt: undefined` from a missing field.
 */
export type Pairs = (string | number)[];

/**
 * `{a: 1, b: undefined}` → ['a', '1', 'b', 'u']: hash fields hold JSON, and 'u' (never valid JSON)
 * an undefined value, which callers tell from a missing field (`rotatedAt: undefined`).
 */
const UNDEFINED = 'u';
export function toPairs(record: object): string[] {
  const out: string[] = [];
  for (const [field, value] of Object.entries(record)) out.push(field, value === undefined ? UNDEFINED : JSON.stringify(value));
  return out;
}

export function fromHash<T>(reply: unknown): T | undefined {
  if (reply === null || reply === undefined) return undefined;
  const out: Record<string, unknown> = {};
  if (Array.isArray(reply)) {
    if (reply.length === 0) return undefined;
    for (let i = 0; i < reply.length; i += 2) out[String(reply[i])] = fieldValue(String(reply[i + 1]));
  } else {
    const entries = Object.entries(reply as Record<string, string>);
    if (entries.length === 0) return undefined;
    for (const [field, value] of entries) out[field] = fieldValue(value);
  }
  return out as T;
}

const fieldValue = (text: string): unknown => (text === UNDEFINED ? undefined : JSON.parse(text));
