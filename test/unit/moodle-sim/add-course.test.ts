import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CONTROL_COURSES_PATH,
  CourseInputError,
  demoSite,
  requestNewCourse,
  SimulatorControlError,
  type MoodleSimulator,
} from '../../../src/moodle-sim';
import { call, contents, gradeReport, startSim, TOKEN } from './support';

interface CourseJson {
  id: number;
  shortname: string;
  fullname: string;
  categoryid: number;
  visible: number;
}

/** A course added while the simulator runs, as `sms-sync moodle-sim add-course` does it. */
describe('adding a course', () => {
  let sim: MoodleSimulator;

  beforeEach(async () => {
    sim = await startSim(demoSite());
  });

  afterEach(() => sim.close());

  const listed = () => call<CourseJson[]>(sim, 'core_course_get_courses');

  it('gives each new course a fresh id, and the Moodle functions list it at once', async () => {
    const known = (await listed()).map((course) => course.id);
    const first = sim.site.addCourse({ fullname: 'History 101', shortname: 'HIS101' });
    const second = sim.site.addCourse({ fullname: 'History 102', shortname: 'HIS102' });
    expect(known).not.toContain(first.id);
    expect(second.id).toBeGreaterThan(first.id);

    expect((await listed()).find((course) => course.id === first.id)).toMatchObject({
      shortname: 'HIS101',
      fullname: 'History 101',
      categoryid: expect.any(Number),
      visible: 1,
    });
    const [onlyIt] = await call<CourseJson[]>(sim, 'core_course_get_courses', { options: { ids: [second.id] } });
    expect(onlyIt).toMatchObject({ id: second.id, shortname: 'HIS102' });
    // A course sync's next steps find an empty course: sections, and no one to enrol or grade.
    expect((await contents(sim, first.id)).length).toBeGreaterThan(0);
    expect(await call(sim, 'core_enrol_get_enrolled_users', { courseid: first.id })).toEqual([]);
    expect((await gradeReport(sim, first.id)).usergrades).toEqual([]);
  });

  it('refuses a course Moodle would refuse, saying why, and adds nothing', () => {
    const before = sim.site.courses().length;
    const add = (fullname: string, shortname: string) => () => sim.site.addCourse({ fullname, shortname });
    expect(add('', 'EMPTY')).toThrow(new CourseInputError('a course needs a full name'));
    expect(add('Blank short name', '  ')).toThrow(new CourseInputError('a course needs a short name'));
    expect(add('x'.repeat(255), 'LONG')).toThrow(/full name is 255 characters long; Moodle allows 254/);
    expect(add('Another English', 'ENG201-2025')).toThrow(
      new CourseInputError('the short name "ENG201-2025" is already used by course 101'),
    );
    expect(sim.site.courses()).toHaveLength(before);

    // A deleted course's short name is free again, as in Moodle.
    sim.site.deleteCourse(102);
    expect(add('Biology 110 (new)', 'BIO110-2024')()).toMatchObject({ shortname: 'BIO110-2024' });
  });

  it('never hands out a reserved id (one a client saw in an earlier run of the simulator)', () => {
    sim.site.reserveCourseIds(250);
    expect(sim.site.addCourse({ fullname: 'After a restart', shortname: 'AFTER' }).id).toBe(251);
  });

  describe('through the control endpoint', () => {
    it('adds the course, the short name defaulting to the full name, unfaulted and uncounted', async () => {
      sim.faults.set({ serverErrorRate: 1 });
      const added = await requestNewCourse(sim.url, TOKEN, { fullname: 'Art History 110' });
      expect(added).toEqual({
        id: expect.any(Number),
        shortname: 'Art History 110',
        fullname: 'Art History 110',
        categoryid: 1,
        visible: true,
      });
      expect(sim.site.course(added.id).fullname).toBe('Art History 110');
      expect(sim.calls.total()).toBe(0);
    });

    it('refuses bad input with the site’s reason, as bad input', async () => {
      const refusal = requestNewCourse(sim.url, TOKEN, { fullname: '' });
      await expect(refusal).rejects.toThrow(new SimulatorControlError('a course needs a full name'));
      await expect(refusal).rejects.toMatchObject({ badInput: true });
    });

    it('answers only the web-service token, and only POST', async () => {
      await expect(requestNewCourse(sim.url, 'not-the-token', { fullname: 'Sneaky' })).rejects.toMatchObject({
        message: expect.stringContaining('refused the token'),
        badInput: false,
      });
      const get = await fetch(`${sim.url}${CONTROL_COURSES_PATH}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(get.status).toBe(405);
      const notJson = await fetch(`${sim.url}${CONTROL_COURSES_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: 'fullname=History',
      });
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toEqual({ error: expect.stringContaining('expected a JSON body') });
      expect(sim.site.courses().map((course) => course.fullname)).not.toContain('Sneaky');
    });

    it('says when the address is no simulator, or nothing answers there', async () => {
      const moodle: Server = createServer((_request, response) => response.writeHead(404).end());
      await new Promise<void>((resolve) => moodle.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(moodle.address() as AddressInfo).port}`;
      try {
        await expect(requestNewCourse(url, TOKEN, { fullname: 'History 101' })).rejects.toThrow(
          `${url} is not a Moodle simulator`,
        );
      } finally {
        await new Promise((resolve) => moodle.close(resolve));
      }
      await expect(requestNewCourse(url, TOKEN, { fullname: 'History 101' })).rejects.toThrow(
        `cannot reach the Moodle simulator at ${url} (connect ECONNREFUSED`,
      );
    });
  });
});
