import {
  demoSite,
  SimulatorEvents,
  WebhookTargetError,
  type MoodleSimulator,
  type SiteModel,
  type WebhookBody,
} from '../../../src/moodle-sim';
import { startReceiver, type Receiver } from './receiver';
import { startSim } from './support';

const SECRET = 'webhook-secret-0123456789abcdef';
const SERVICE_USER = 7;
const ALICE = 2001;
const BONGANI = 2002;
/** English Literature 201: its quiz 1005 (item 3004, out of 10), its essay 1004 (item 3003), section 2 (id 5012). */
const ENG201 = 101;

/** The site's Moodle events, as the local_webhooks plugin sends them (one POST per event). */
describe('Moodle events', () => {
  let receiver: Receiver;
  let sim: MoodleSimulator;
  let startedAt: number;

  beforeEach(async () => {
    receiver = await startReceiver();
    sim = await startSim(demoSite(), { events: { url: receiver.url, secret: SECRET } });
    startedAt = Math.floor(Date.now() / 1000);
  });

  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  /** The events POSTed for what `change` does, once all are delivered. */
  async function eventsOf(change: (site: SiteModel) => void): Promise<WebhookBody[]> {
    await sim.events.settled(); // the events of earlier changes are not this one's
    const before = receiver.posts.length;
    change(sim.site);
    await sim.events.settled();
    return receiver.posts.slice(before).map((post) => post.body);
  }

  /** The fields every event of course 101 shares: who, where, when, and the plugin's own three. */
  const inEnglishLiterature = () => ({
    component: 'core',
    contextid: sim.site.course(ENG201).contextid,
    contextlevel: 50,
    contextinstanceid: ENG201,
    userid: SERVICE_USER,
    courseid: ENG201,
    anonymous: 0,
    timecreated: expect.any(Number),
    host: '127.0.0.1',
    token: SECRET,
    extra: '',
  });

  describe('one event per change, as Moodle fires it', () => {
    it('a grade set, changed or removed: user_graded for the student, in the course context', async () => {
      const [set, ...more] = await eventsOf((site) => site.grade(ENG201, BONGANI, 1005, 7));
      expect(more).toEqual([]);
      expect(set).toEqual({
        ...inEnglishLiterature(),
        eventname: String.raw`\core\event\user_graded`,
        action: 'graded',
        target: 'user',
        objecttable: 'grade_grades',
        objectid: expect.any(Number),
        crud: 'u',
        edulevel: 1,
        relateduserid: BONGANI,
        other: { itemid: 3004, overridden: false, finalgrade: 7 },
      });
      expect(set!.timecreated).toBeGreaterThanOrEqual(startedAt);
      expect(set!.timecreated).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

      // The same grade row keeps its id; a removed grade is a user_graded without a grade.
      const [changed, removed] = await eventsOf((site) => {
        site.grade(ENG201, BONGANI, 1005, 9);
        site.grade(ENG201, BONGANI, 1005, null);
      });
      expect(changed).toMatchObject({ objectid: set!.objectid, other: { itemid: 3004, finalgrade: 9 } });
      expect(removed).toMatchObject({ objectid: set!.objectid, other: { itemid: 3004, finalgrade: null } });
    });

    it('a gradebook override, and a grade set on the gradebook directly: user_graded too', async () => {
      const events = await eventsOf((site) => {
        site.overrideGrade(ENG201, ALICE, 3001, 90); // the course total
        site.gradebook(ENG201).setActivityGrade(3004, ALICE, {
          value: 4,
          feedback: '',
          datesubmitted: null,
          dategraded: 1_740_000_000,
        });
        site.overrideGrade(ENG201, ALICE, 3001, null);
        site.overrideGrade(ENG201, ALICE, 3001, null); // no override left to remove: no change, no event
      });
      expect(events.map((event) => [event.eventname, event.relateduserid, event.other])).toEqual([
        [String.raw`\core\event\user_graded`, ALICE, { itemid: 3001, overridden: true, finalgrade: 90 }],
        [String.raw`\core\event\user_graded`, ALICE, { itemid: 3004, overridden: false, finalgrade: 4 }],
        [
          String.raw`\core\event\user_graded`,
          ALICE,
          { itemid: 3001, overridden: false, finalgrade: expect.any(Number) },
        ],
      ]);
    });

    it('an activity added: course_module_created, in the module context', async () => {
      let cmid = 0;
      const [created] = await eventsOf((site) => {
        cmid = site.addActivity(ENG201, { section: 2, modname: 'assign', name: 'Essay 3', gradeItems: [{}] }).id;
      });
      const module = sim.site.module(ENG201, cmid);
      expect(created).toEqual({
        ...inEnglishLiterature(),
        eventname: String.raw`\core\event\course_module_created`,
        action: 'created',
        target: 'course_module',
        objecttable: 'course_modules',
        objectid: cmid,
        crud: 'c',
        edulevel: 1,
        contextid: module.contextid,
        contextlevel: 70,
        contextinstanceid: cmid,
        relateduserid: null,
        other: { modulename: 'assign', instanceid: module.instance, name: 'Essay 3' },
      });
    });

    it('an activity hidden, shown or made stealth: course_module_updated, only when it changes', async () => {
      const events = await eventsOf((site) => {
        site.setActivityVisible(ENG201, 1005, false);
        site.setActivityVisible(ENG201, 1005, false); // already hidden
        site.setActivityVisible(ENG201, 1005, true);
        site.setActivityStealth(ENG201, 1005, true);
      });
      expect(events).toHaveLength(3);
      for (const event of events) {
        expect(event).toEqual({
          ...inEnglishLiterature(),
          eventname: String.raw`\core\event\course_module_updated`,
          action: 'updated',
          target: 'course_module',
          objecttable: 'course_modules',
          objectid: 1005,
          crud: 'u',
          edulevel: 1,
          contextid: 9005,
          contextlevel: 70,
          contextinstanceid: 1005,
          relateduserid: null,
          other: { modulename: 'quiz', instanceid: 7, name: 'Week 2 quiz' },
        });
      }
    });

    it('a section hidden: course_section_updated, and nothing for the modules it hides', async () => {
      const events = await eventsOf((site) => site.setSectionVisible(ENG201, 2, false));
      expect(events).toEqual([
        {
          ...inEnglishLiterature(),
          eventname: String.raw`\core\event\course_section_updated`,
          action: 'updated',
          target: 'course_section',
          objecttable: 'course_sections',
          objectid: 5012,
          crud: 'u',
          edulevel: 1,
          relateduserid: null,
          other: { sectionnum: 2 },
        },
      ]);
      expect(await eventsOf((site) => site.setSectionVisible(ENG201, 2, false))).toEqual([]);
    });

    /** The fields of the four course events, for `courseId`. */
    const courseEvent = (courseId: number, event: string, crud: string) => ({
      ...inEnglishLiterature(),
      contextid: sim.site.course(courseId).contextid,
      contextinstanceid: courseId,
      courseid: courseId,
      eventname: `\\core\\event\\${event}`,
      action: event.slice('course_'.length),
      target: 'course',
      objecttable: 'course',
      objectid: courseId,
      crud,
      edulevel: 1,
      relateduserid: null,
    });

    it('a course added: course_created, in its own new context', async () => {
      let courseId = 0;
      const [created] = await eventsOf((site) => {
        courseId = site.addCourse({ fullname: 'History 101', shortname: 'HIS101' }).id;
      });
      expect(created).toEqual({
        ...courseEvent(courseId, 'course_created', 'c'),
        other: { shortname: 'HIS101', fullname: 'History 101' },
      });
      expect(created!.contextid).not.toBe(sim.site.course(ENG201).contextid);
    });

    it('a course updated: course_updated, with the fields that changed', async () => {
      const [updated] = await eventsOf((site) => site.updateCourse(102, { visible: true, fullname: 'Biology 110' }));
      expect(updated).toEqual({
        ...courseEvent(102, 'course_updated', 'u'),
        other: {
          shortname: 'BIO110-2024',
          fullname: 'Biology 110',
          updatedfields: { visible: true, fullname: 'Biology 110' },
        },
      });
    });

    it('a course deleted: course_deleted, once', async () => {
      const events = await eventsOf((site) => {
        site.deleteCourse(102);
        site.deleteCourse(102);
      });
      expect(events).toEqual([
        {
          ...courseEvent(102, 'course_deleted', 'd'),
          other: { shortname: 'BIO110-2024', fullname: 'Biology 110 (archived)', idnumber: 'SMS-BIO110-2024B' },
        },
      ]);
    });

    it('a course restored: course_restored', async () => {
      sim.site.deleteCourse(102);
      const events = await eventsOf((site) => {
        site.restoreCourse(102);
        site.restoreCourse(102); // not deleted any more: nothing to restore
      });
      expect(events).toEqual([
        {
          ...courseEvent(102, 'course_restored', 'c'),
          other: { type: 'course', operation: 'restore', samesite: true },
        },
      ]);
    });

    /** The fields of the three enrolment events, for Alice in course 102. */
    const enrolmentEvent = (event: string, crud: string) => ({
      ...inEnglishLiterature(),
      contextid: sim.site.course(102).contextid,
      contextinstanceid: 102,
      courseid: 102,
      eventname: `\\core\\event\\${event}`,
      action: event.slice('user_enrolment_'.length),
      target: 'user_enrolment',
      objecttable: 'user_enrolments',
      objectid: expect.any(Number),
      crud,
      edulevel: 0,
      relateduserid: ALICE,
    });

    it('a student enrolled: user_enrolment_created (not for a second role)', async () => {
      const events = await eventsOf((site) => {
        site.enrol(102, ALICE);
        site.enrol(102, ALICE, 'teacher');
      });
      expect(events).toEqual([{ ...enrolmentEvent('user_enrolment_created', 'c'), other: { enrol: 'manual' } }]);
    });

    it('an enrolment suspended or reactivated: user_enrolment_updated, for the same enrolment row', async () => {
      const [created, suspended, reactivated, ...none] = await eventsOf((site) => {
        site.enrol(102, ALICE);
        site.setEnrolmentActive(102, ALICE, false);
        site.setEnrolmentActive(102, ALICE, false);
        site.setEnrolmentActive(102, ALICE, true);
      });
      expect(none).toEqual([]);
      for (const event of [suspended, reactivated]) {
        expect(event).toEqual({
          ...enrolmentEvent('user_enrolment_updated', 'u'),
          objectid: created!.objectid,
          other: { enrol: 'manual' },
        });
      }
    });

    it('a student unenrolled: user_enrolment_deleted, naming the removed row; enrolled again, a new row', async () => {
      const [created, deleted, again] = await eventsOf((site) => {
        site.enrol(102, ALICE);
        site.unenrol(102, ALICE);
        site.unenrol(102, ALICE); // not enrolled: no event
        site.enrol(102, ALICE);
      });
      const id = created!.objectid;
      expect(deleted).toEqual({
        ...enrolmentEvent('user_enrolment_deleted', 'd'),
        objectid: id,
        other: { enrol: 'manual', userenrolment: { id, courseid: 102, userid: ALICE } },
      });
      expect(again).toMatchObject({ eventname: String.raw`\core\event\user_enrolment_created` });
      expect(again!.objectid).not.toBe(id);
    });
  });

  describe('delivery', () => {
    it('POSTs each event alone as application/json, with the secret as its token, and counts it', async () => {
      await eventsOf((site) => {
        site.grade(ENG201, BONGANI, 1005, 6);
        site.setActivityVisible(ENG201, 1004, false);
      });
      expect(receiver.posts.map(({ method, contentType }) => [method, contentType])).toEqual([
        ['POST', 'application/json'],
        ['POST', 'application/json'],
      ]);
      expect(receiver.posts.every((post) => post.body.token === SECRET)).toBe(true);
      expect(sim.events.stats()).toEqual({ enabled: true, emitted: 2, delivered: 2, refused: {}, failed: 0 });
    });

    it('never holds up a change: a hung receiver gets 8 POSTs at a time, the rest wait their turn', async () => {
      const releases: (() => void)[] = [];
      receiver.answerWith(() => new Promise((resolve) => releases.push(() => resolve(200))));
      const startedAt = performance.now();
      for (let grade = 0; grade < 20; grade += 1) sim.site.grade(ENG201, BONGANI, 1005, grade % 11);
      expect(performance.now() - startedAt).toBeLessThan(200); // 20 changes, not 20 round trips
      expect(receiver.posts).toHaveLength(0); // nothing was sent while the changes were made

      await receiver.waitForPosts(8);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(receiver.posts).toHaveLength(8);
      expect(sim.events.stats()).toMatchObject({ emitted: 20, delivered: 0 });

      // Each answer lets the next waiting POST go: 8 more in flight at a time.
      let answered = 0;
      while (answered < 20) {
        await receiver.waitForPosts(Math.min(20, answered + 8));
        const held = releases.splice(0);
        held.forEach((release) => release());
        answered += held.length;
      }
      await sim.events.settled();
      expect(sim.events.stats()).toMatchObject({ emitted: 20, delivered: 20 });
      expect(receiver.posts.map((post) => post.body.other?.finalgrade)).toEqual(
        expect.arrayContaining(Array.from({ length: 20 }, (_, grade) => grade % 11)),
      );
    });

    it('counts refusals by status and network failures, and never throws into the model', async () => {
      receiver.answerWith((post) => (post.body.other?.finalgrade === 1 ? 401 : 503));
      expect(() => {
        sim.site.grade(ENG201, BONGANI, 1005, 1);
        sim.site.grade(ENG201, BONGANI, 1005, 2);
        sim.site.grade(ENG201, BONGANI, 1005, 3);
      }).not.toThrow();
      await sim.events.settled();
      expect(sim.events.stats()).toEqual({
        enabled: true,
        emitted: 3,
        delivered: 0,
        refused: { '401': 1, '503': 2 },
        failed: 0,
      });

      await receiver.close(); // connection refused from now on
      expect(() => sim.site.grade(ENG201, BONGANI, 1005, 4)).not.toThrow();
      await sim.events.settled();
      expect(sim.events.stats()).toMatchObject({ emitted: 4, failed: 1 });
      expect(sim.site.gradeOf(ENG201, BONGANI, 1005)).toBe(4);
    });

    it('switched off, changes happen silently; switched on again, they are sent', async () => {
      sim.events.setEnabled(false);
      expect(await eventsOf((site) => site.grade(ENG201, BONGANI, 1005, 5))).toEqual([]);
      expect(sim.events.stats()).toEqual({ enabled: false, emitted: 0, delivered: 0, refused: {}, failed: 0 });
      expect(sim.site.gradeOf(ENG201, BONGANI, 1005)).toBe(5);

      sim.events.setEnabled(true);
      expect(await eventsOf((site) => site.grade(ENG201, BONGANI, 1005, 6))).toHaveLength(1);
      expect(sim.events.stats()).toMatchObject({ enabled: true, emitted: 1, delivered: 1 });
    });

    it('closing the simulator drops what is queued or in flight (counted failed) without waiting for it', async () => {
      receiver.answerWith(() => new Promise<number>(() => undefined)); // never answers
      for (let grade = 0; grade < 12; grade += 1) sim.site.grade(ENG201, BONGANI, 1005, grade % 11);
      await receiver.waitForPosts(8);
      await sim.close();
      expect(sim.events.stats()).toMatchObject({ emitted: 12, delivered: 0, failed: 12 });
    });
  });

  describe('configuration', () => {
    it('sends nothing until told where, then sends the changes made from then on', async () => {
      const unconfigured = await startSim(demoSite());
      try {
        unconfigured.site.grade(ENG201, BONGANI, 1005, 3);
        await unconfigured.events.settled();
        expect(unconfigured.events.stats()).toMatchObject({ emitted: 0 });

        unconfigured.events.configure({ url: receiver.url, secret: 'later-secret-0123456789' });
        unconfigured.site.grade(ENG201, BONGANI, 1005, 4);
        await unconfigured.events.settled();
        expect(receiver.posts.map((post) => [post.body.token, post.body.other?.finalgrade])).toEqual([
          ['later-secret-0123456789', 4],
        ]);
      } finally {
        await unconfigured.close();
      }
    });

    it('refuses a target it cannot send to', () => {
      expect(() => sim.events.configure({ url: 'not a url', secret: SECRET })).toThrow(WebhookTargetError);
      expect(() => sim.events.configure({ url: 'ftp://example.org/hooks', secret: SECRET })).toThrow(
        'events URL "ftp://example.org/hooks" is not http(s)',
      );
      expect(() => sim.events.configure({ url: receiver.url, secret: '' })).toThrow('the events secret is empty');
    });

    it('gives up an event after the timeout, as failed', async () => {
      receiver.answerWith(() => new Promise<number>(() => undefined)); // never answers
      const site = demoSite();
      const events = new SimulatorEvents(site, {
        host: () => 'moodle.example.edu',
        target: { url: receiver.url, secret: SECRET },
        timeoutMs: 100,
      });
      try {
        site.grade(ENG201, BONGANI, 1005, 3);
        await events.settled();
        expect(events.stats()).toMatchObject({ emitted: 1, delivered: 0, failed: 1 });
        expect(receiver.posts.map((post) => post.body.host)).toEqual(['moodle.example.edu']);
      } finally {
        await events.close();
      }
    });

    it('an event it cannot make is lost and counted, and the change stands', async () => {
      const site = demoSite();
      const events = new SimulatorEvents(site, {
        host: () => {
          throw new Error('no host yet');
        },
        target: { url: receiver.url, secret: SECRET },
      });
      try {
        expect(() => site.grade(ENG201, BONGANI, 1005, 3)).not.toThrow();
        await events.settled();
        expect(events.stats()).toMatchObject({ emitted: 1, failed: 1 });
        expect(site.gradeOf(ENG201, BONGANI, 1005)).toBe(3);
      } finally {
        await events.close();
      }
    });
  });
});
