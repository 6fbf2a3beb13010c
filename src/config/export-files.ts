import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Files an export refers to (an email body, an action's code) are the export's own: a reference is a
 * relative path that stays inside the export's folder, symbolic links included. An export is someone
 * else's material; read as given, `body: /home/me/.ssh/id_rsa` or `../../.env` would put any file the
 * server can read into a message or an action.
 */
export type Reference = { file: string } | { refused: string } | { missing: string };

/** `reference` as written in the export, looked up in `folder` (a folder of the export, relative to its root). */
export function resolveInside(root: string, reference: string, folder = '.'): Reference {
  const wanted = reference.trim();
  if (isAbsolute(wanted)) return { refused: `"${wanted}" is an absolute path; an export refers to its own files by paths relative to its folder` };
  const file = resolve(root, folder, wanted);
  if (!isWithin(resolve(root), file)) return { refused: `"${wanted}" leaves the export's folder (${root})` };
  if (!existsSync(file)) return { missing: file };
  const real = realpathSync(file);
  if (!isWithin(realpathSync(root), real)) return { refused: `"${wanted}" is a symbolic link to ${real}, outside the export's folder (${root})` };
  return { file: real };
}

export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
