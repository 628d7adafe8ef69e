import { MOODLE_FUNCTIONS, type MoodleFunction } from '../moodle';

/**
 * The simulator implements exactly the functions the client calls (WS_FUNCTIONS
 * is keyed by them, so a new client function fails to compile until it is
 * simulated), and a fresh site's service lists them all.
 */
export const SIMULATED_FUNCTIONS: readonly MoodleFunction[] = Object.freeze(Object.values(MOODLE_FUNCTIONS));

export function isSimulatedFunction(name: string): name is MoodleFunction {
  return (SIMULATED_FUNCTIONS as readonly string[]).includes(name);
}
