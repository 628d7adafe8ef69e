import type { MoodleErrorKind } from './moodle-data';

/** `function-not-allowed` → `MOODLE_FUNCTION_NOT_ALLOWED`: the stable code stored on sync errors and runs. */
export function moodleErrorCode(kind: MoodleErrorKind): string {
  return `MOODLE_${kind.toUpperCase().replace(/-/g, '_')}`;
}
