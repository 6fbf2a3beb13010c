import { Value } from 'typebox/value';
import { Settings } from 'typebox/system';
import { TenantFileSchema, type TenantFile } from './tenant-schema.js';

/**
 * The TypeBox side of reading a tenant file: every schema error, and the file without unknown keys.
 * Kept apart from tenant-file.ts so start-up loads TypeBox only when the compiled check
 * (scripts/emit-tenant-check.mjs) cannot vouch for the file.
 */

/**
 * TypeBox stops collecting after `maxErrors` (default 8), and every unknown key costs two errors, so an
 * export full of unknown keys would hide the real problems behind them. The tenant file is trusted local
 * input: collect everything, then put the global setting back.
 */
export function allSchemaErrors(raw: unknown): ReturnType<typeof Value.Errors> {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: Number.MAX_SAFE_INTEGER });
  try {
    return Value.Errors(TenantFileSchema, raw);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

/** Drops the keys that produced warnings so the rest of the code sees only what it knows. */
export function stripUnknown(file: TenantFile): TenantFile {
  return Value.Clean(TenantFileSchema, structuredClone(file)) as TenantFile;
}
