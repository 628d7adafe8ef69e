import { SERVICE_SETTINGS } from './classify';
import { MoodleError } from './errors';
import { MOODLE_FUNCTIONS, type MoodleFunction } from './functions';
import type { SiteInfo } from '../domain/moodle-data';

/** Every function the client calls; the token's external service must list them all. */
export const REQUIRED_FUNCTIONS: readonly MoodleFunction[] = Object.freeze(Object.values(MOODLE_FUNCTIONS));

/**
 * Throws one error naming every missing function, so the technician fixes
 * the service in one visit instead of one function per failed run.
 */
export function assertFunctionsAllowed(siteInfo: SiteInfo, required: readonly string[]): void {
  const allowed = new Set(siteInfo.functions);
  const missingFunctions = required.filter((name) => !allowed.has(name));
  if (missingFunctions.length === 0) return;
  const names = missingFunctions.map((name) => `\`${name}\``).join(', ');
  const them = missingFunctions.length === 1 ? 'it' : 'them';
  throw new MoodleError({
    kind: 'function-not-allowed',
    wsfunction: MOODLE_FUNCTIONS.siteInfo,
    missingFunctions,
    message: `the token's service does not allow ${names}: add ${them} to the external service (${SERVICE_SETTINGS})`,
  });
}
