import {
  HOOKS_TEST_EVENT,
  MOODLE_EVENT_RULES,
  workForEvent,
  type MoodleEventWork,
} from '../../../src/domain/moodle-events';

/** One row per rule of the table, each with the events it must match: every rule is exercised. */
const ROWS: [rule: number, events: string[], work: MoodleEventWork][] = [
  [0, [String.raw`\core\event\user_graded`], 'COURSE_GRADES'],
  [1, [String.raw`\core\event\grade_deleted`], 'COURSE_GRADES'],
  [
    2,
    [
      String.raw`\core\event\grade_item_created`,
      String.raw`\core\event\grade_item_updated`,
      String.raw`\core\event\grade_item_deleted`,
    ],
    'COURSE_GRADES',
  ],
  [
    3,
    [
      String.raw`\mod_assign\event\submission_graded`,
      String.raw`\mod_lesson\event\essay_assessed`,
      String.raw`\mod_quiz\event\attempt_regraded`,
      String.raw`\mod_workshop\event\submission_assessed`,
    ],
    'COURSE_GRADES',
  ],
  [
    4,
    [
      String.raw`\core\event\course_module_created`,
      String.raw`\core\event\course_module_updated`,
      String.raw`\core\event\course_module_deleted`,
    ],
    'COURSE_GRADES',
  ],
  [
    5,
    [String.raw`\core\event\course_section_updated`, String.raw`\core\event\course_section_deleted`],
    'COURSE_GRADES',
  ],
  [
    6,
    [String.raw`\core\event\user_enrolment_created`, String.raw`\core\event\user_enrolment_deleted`],
    'COURSE_GRADES',
  ],
  [
    7,
    [
      String.raw`\core\event\course_created`,
      String.raw`\core\event\course_updated`,
      String.raw`\core\event\course_deleted`,
      String.raw`\core\event\course_restored`,
    ],
    'COURSE_LIST',
  ],
  [8, [HOOKS_TEST_EVENT], 'TEST'],
];

describe('the Moodle event table', () => {
  it('has a row here for every rule', () => {
    expect(ROWS.map(([rule]) => rule)).toEqual(MOODLE_EVENT_RULES.map((_, index) => index));
  });

  it.each(ROWS)('rule %i: %j → %s', (rule, events, work) => {
    for (const eventName of events) {
      expect(MOODLE_EVENT_RULES.findIndex((candidate) => candidate.pattern.test(eventName))).toBe(rule);
      expect(workForEvent(eventName)).toBe(work);
    }
    expect(MOODLE_EVENT_RULES[rule]!.work).toBe(work);
  });

  it.each([
    String.raw`\core\event\course_viewed`,
    String.raw`\core\event\user_loggedin`,
    String.raw`\mod_forum\event\post_created`,
    String.raw`\core\event\course_module_completion_updated`,
    String.raw`\core\event\user_graded_extra`,
    String.raw`\mod_assign\event\submission_graded\x`,
    'user_graded',
  ])('drops %s', (eventName) => {
    expect(workForEvent(eventName)).toBe('NONE');
  });
});
