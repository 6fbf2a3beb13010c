/**
 * The stand-in config/tenant-validation.ts puts where a required value was missing or wrong, so the
 * checks after the schema still run on the rest of the file. A message about a stand-in repeats a
 * problem already reported, and is dropped.
 */
export const UNSET = '\u0000unset';

export const aboutUnset = (message: string): boolean => message.includes(UNSET);
