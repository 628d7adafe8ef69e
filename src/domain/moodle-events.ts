/**
 * What an event Moodle forwards (local_webhooks, or an observer plugin) asks of the SMS. An event is a
 * hint about which course to read again, never data: the sync still reads Moodle, so a lost, repeated,
 * reordered or forged event cannot put a wrong grade in the SMS.
 */
export type MoodleEventWork =
  /** Read the course's gradebook again: a grade, an activity or an enrolment changed. */
  | 'COURSE_GRADES'
  /** Read Moodle's course list again: a course appeared, changed, vanished or came back. */
  | 'COURSE_LIST'
  /** `sms-sync hooks test`: proves the route, the secret and the parser, and starts nothing. */
  | 'TEST'
  /** Nothing the SMS shows depends on it. */
  | 'NONE';

/**
 * Default of MOODLE_WEBHOOK_RATE_LIMIT, events a minute from one address: a teacher regrading a course of
 * thousands fires one event per student, and refusing some costs nothing (one event of a course brings
 * in all its changes). A loop or a flood is cut off well before it loads Temporal.
 */
export const DEFAULT_EVENTS_PER_MINUTE = 12_000;

/** What a refresh keeps fresh: one course's grades, or Moodle's course list. */
export type RefreshTarget = { kind: 'COURSE_GRADES'; courseId: number } | { kind: 'COURSE_LIST' };

export interface MoodleEventRule {
  /** Matched against the whole event name, e.g. `\core\event\user_graded`. */
  readonly pattern: RegExp;
  readonly work: MoodleEventWork;
  /** Why the event means that work: shown by the tests, and in the docs. */
  readonly because: string;
}

const core = (name: string) => new RegExp(String.raw`^\\core\\event\\${name}$`);

/** The event `sms-sync hooks test` sends. */
export const HOOKS_TEST_EVENT = String.raw`\local_sms_sync\event\hooks_test`;

/**
 * Every event the SMS acts on; the first matching row wins and any other event is dropped. Progress is
 * graded activities ÷ non-hidden activities, so events that change either count, as do grades and the
 * course list itself.
 */
export const MOODLE_EVENT_RULES: readonly MoodleEventRule[] = [
  { pattern: core('user_graded'), work: 'COURSE_GRADES', because: 'a student got, lost or changed a grade' },
  { pattern: core('grade_deleted'), work: 'COURSE_GRADES', because: 'a grade was removed' },
  {
    pattern: core('grade_item_(created|updated|deleted)'),
    work: 'COURSE_GRADES',
    because: 'a grade item changed: its maximum, its hiding, or whether it exists',
  },
  {
    pattern: /^\\mod_[a-z0-9_]+\\event\\[a-z_]*(graded|assessed|regraded)$/,
    work: 'COURSE_GRADES',
    because: "an activity module graded a student (mod_assign's submission_graded and the like)",
  },
  {
    pattern: core('course_module_(created|updated|deleted)'),
    work: 'COURSE_GRADES',
    because: 'an activity was added, hidden, shown or removed: what progress counts changed',
  },
  {
    pattern: core('course_section_(created|updated|deleted)'),
    work: 'COURSE_GRADES',
    because: 'hiding a section hides its activities from progress',
  },
  {
    pattern: core('user_enrolment_(created|updated|deleted)'),
    work: 'COURSE_GRADES',
    because: 'a student joined or left the course in Moodle, which decides whether their grades can be read',
  },
  {
    pattern: core('course_(created|updated|deleted|restored)'),
    work: 'COURSE_LIST',
    because: 'the course list changed: a new course waits for an admin, a deleted one leaves the Courses tab',
  },
  { pattern: new RegExp(`^${escapeRegExp(HOOKS_TEST_EVENT)}$`), work: 'TEST', because: 'a test of the hook itself' },
];

/** The work an event asks for: its rule's, or NONE for any event not in the table. */
export function workForEvent(eventName: string): MoodleEventWork {
  return MOODLE_EVENT_RULES.find((rule) => rule.pattern.test(eventName))?.work ?? 'NONE';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
