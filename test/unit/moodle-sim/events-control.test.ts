import {
  CONTROL_EVENTS_PATH,
  CONTROL_GRADES_PATH,
  demoSite,
  requestEventsSwitch,
  requestGrade,
  SimulatorControlError,
  type MoodleSimulator,
} from '../../../src/moodle-sim';
import { startReceiver, type Receiver } from './receiver';
import { startSim, TOKEN } from './support';

const SECRET = 'webhook-secret-0123456789abcdef';
const ALICE = 2001;
const BONGANI = 2002;
const ENG201 = 101;

/** The control routes of the events: switching them, and grading as a teacher to cause one. */
describe('events through the control endpoint', () => {
  let receiver: Receiver;
  let sim: MoodleSimulator;

  beforeEach(async () => {
    receiver = await startReceiver();
    sim = await startSim(demoSite(), { events: { url: receiver.url, secret: SECRET } });
  });

  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const controlPost = (path: string, body: unknown, token = TOKEN) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  describe(`POST ${CONTROL_EVENTS_PATH}`, () => {
    it('switches events off and on, answering the state and the counts', async () => {
      expect(await requestEventsSwitch(sim.url, TOKEN, { enabled: false })).toEqual({
        enabled: false,
        emitted: 0,
        delivered: 0,
        refused: {},
        failed: 0,
      });
      sim.site.grade(ENG201, BONGANI, 1005, 5);
      await sim.events.settled();
      expect(receiver.posts).toEqual([]);

      await requestEventsSwitch(sim.url, TOKEN, { enabled: true });
      sim.site.grade(ENG201, BONGANI, 1005, 6);
      await sim.events.settled();
      expect(await requestEventsSwitch(sim.url, TOKEN, {})).toEqual({
        enabled: true,
        emitted: 1,
        delivered: 1,
        refused: {},
        failed: 0,
      });
      expect(receiver.names()).toEqual([String.raw`\core\event\user_graded`]);
    });

    it('takes only the web-service token, and only true or false', async () => {
      const wrongToken = await controlPost(CONTROL_EVENTS_PATH, { enabled: false }, 'not-the-token');
      expect(wrongToken.status).toBe(401);
      const notBoolean = await controlPost(CONTROL_EVENTS_PATH, { enabled: 'no' });
      expect(notBoolean.status).toBe(400);
      expect(await notBoolean.json()).toEqual({ error: 'enabled: expected true or false' });
      expect(sim.events.stats().enabled).toBe(true);
    });
  });

  describe(`POST ${CONTROL_GRADES_PATH}`, () => {
    it("grades the course's first graded activity when told no item, and the event follows", async () => {
      const answer = await requestGrade(sim.url, TOKEN, { courseId: ENG201, userId: BONGANI, grade: 55 });
      expect(answer).toEqual({
        courseId: ENG201,
        userId: BONGANI,
        userFullname: 'Bongani Dlamini',
        itemId: 3003,
        itemName: 'Essay 1: Romantic poets',
        cmid: 1004,
        how: 'graded',
        grade: 55,
        shown: 55,
        grademin: 0,
        grademax: 100,
        eventEmitted: true,
      });
      expect(sim.site.gradeOf(ENG201, BONGANI, 1004)).toBe(55);
      await sim.events.settled();
      expect(receiver.posts.map((post) => [post.body.eventname, post.body.relateduserid, post.body.other])).toEqual([
        [String.raw`\core\event\user_graded`, BONGANI, { itemid: 3003, overridden: false, finalgrade: 55 }],
      ]);
    });

    it('grades an activity named in any case, or any item by id (a manual one is overridden)', async () => {
      const quiz = await requestGrade(sim.url, TOKEN, {
        courseId: ENG201,
        userId: ALICE,
        activity: 'week 2 QUIZ',
        grade: 8.5,
      });
      expect(quiz).toMatchObject({ itemId: 3004, cmid: 1005, how: 'graded', grade: 8.5, shown: 8.5 });
      const attendance = await requestGrade(sim.url, TOKEN, {
        courseId: ENG201,
        userId: ALICE,
        itemId: 3008,
        grade: 5,
      });
      expect(attendance).toMatchObject({
        itemId: 3008,
        itemName: 'Attendance',
        cmid: null,
        how: 'overridden',
        shown: 5,
      });
      await sim.events.settled();
      expect(receiver.posts.map((post) => post.body.other)).toEqual([
        { itemid: 3004, overridden: false, finalgrade: 8.5 },
        { itemid: 3008, overridden: true, finalgrade: 5 },
      ]);
    });

    it('says so when no event was sent (events off)', async () => {
      sim.events.setEnabled(false);
      const answer = await requestGrade(sim.url, TOKEN, { courseId: ENG201, userId: BONGANI, grade: 40 });
      expect(answer).toMatchObject({ grade: 40, eventEmitted: false });
    });

    it.each([
      [{ courseId: ENG201, userId: BONGANI, grade: 150 }, 'grade 150 is outside 0..100 of grade item 3003'],
      [{ courseId: ENG201, userId: BONGANI, activity: 'Week 2 quiz', grade: -1 }, 'grade -1 is outside 0..10'],
      [{ courseId: ENG201, userId: BONGANI, grade: '8' }, 'grade: expected a number'],
      [{ userId: BONGANI, grade: 8 }, 'courseId: expected a course id'],
      [{ courseId: ENG201, userId: 0, grade: 8 }, 'userId: expected a user id'],
      [{ courseId: 999, userId: BONGANI, grade: 8 }, 'there is no course 999'],
      [{ courseId: ENG201, userId: 9999, grade: 8 }, 'there is no user 9999'],
      [{ courseId: 102, userId: ALICE, grade: 8 }, 'user 2001 is not enrolled in course 102'],
      [{ courseId: ENG201, userId: BONGANI, itemId: 42, grade: 8 }, 'course 101 has no grade item 42'],
      [
        { courseId: ENG201, userId: BONGANI, activity: 'Essay 9', grade: 8 },
        'course 101 has no activity named "Essay 9"',
      ],
      [
        { courseId: ENG201, userId: BONGANI, activity: 'Pick your seminar slot', grade: 8 },
        'the activity "Pick your seminar slot" of course 101 has no grade item',
      ],
      [
        { courseId: ENG201, userId: BONGANI, itemId: 3004, activity: 'Week 2 quiz', grade: 8 },
        'give itemId or activity',
      ],
    ])('refuses %j with a 400 saying why, and changes nothing', async (body, reason) => {
      const report = () => JSON.stringify(sim.site.gradebook(ENG201).userReport(BONGANI));
      const before = report();
      const answer = await controlPost(CONTROL_GRADES_PATH, body);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toContain(reason);
      expect(report()).toBe(before);
      await sim.events.settled();
      expect(sim.events.stats().emitted).toBe(0);
      expect(receiver.posts).toEqual([]);
    });

    it('is refused as bad input through the client, and needs the token', async () => {
      const refusal = requestGrade(sim.url, TOKEN, { courseId: ENG201, userId: BONGANI, grade: 101 });
      await expect(refusal).rejects.toThrow(SimulatorControlError);
      await expect(refusal).rejects.toMatchObject({ badInput: true });
      const wrongToken = await controlPost(CONTROL_GRADES_PATH, { courseId: ENG201, userId: BONGANI, grade: 8 }, 'x');
      expect(wrongToken.status).toBe(401);
      expect(sim.site.gradeOf(ENG201, BONGANI, 1004)).toBeNull();
    });
  });
});
