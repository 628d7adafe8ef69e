import { generateSite, type GenerateSiteOptions, type MoodleSimulator } from '../../../src/moodle-sim';
import {
  call,
  contents,
  gradeReport,
  post,
  startSim,
  type GradeReport,
  type GradeRow,
  type SectionJson,
} from './support';

interface CourseJson {
  id: number;
  format: string;
  visible: number;
  idnumber: string;
}

interface EnrolledJson {
  id: number;
  roles: { shortname: string }[];
}

/** Everything the sync would read from a site, as raw JSON text with the simulator's address blanked out. */
async function dump(sim: MoodleSimulator): Promise<string> {
  const parts = [(await post(sim, 'core_course_get_courses')).text];
  for (const course of await call<CourseJson[]>(sim, 'core_course_get_courses')) {
    for (const wsfunction of [
      'core_course_get_contents',
      'gradereport_user_get_grade_items',
      'core_enrol_get_enrolled_users',
    ]) {
      parts.push((await post(sim, wsfunction, { courseid: course.id })).text);
    }
  }
  return parts.join('\n').split(sim.url.replace(/\//g, '\\/')).join('SITE');
}

async function dumpOf(options: GenerateSiteOptions): Promise<string> {
  const sim = await startSim(generateSite(options));
  try {
    return await dump(sim);
  } finally {
    await sim.close();
  }
}

const SMALL: GenerateSiteOptions = { seed: 'edge-cases', courses: 3, studentsPerCourse: 3, activitiesPerCourse: 4 };
const MEDIUM: GenerateSiteOptions = { seed: 42, courses: 12, studentsPerCourse: 15, activitiesPerCourse: 12 };

describe('generateSite', () => {
  it('is deterministic: the same options give byte-identical answers', async () => {
    const first = await dumpOf(MEDIUM);
    expect(await dumpOf(MEDIUM)).toBe(first);
    expect(first.length).toBeGreaterThan(50_000);
  });

  it('gives a different site for a different seed', async () => {
    expect(await dumpOf({ ...SMALL, seed: 'other' })).not.toBe(await dumpOf(SMALL));
  });

  it.each([
    [{ courses: 2 }, /courses must be a whole number in 3…5000/],
    [{ courses: 5001 }, /courses/],
    [{ studentsPerCourse: -1 }, /studentsPerCourse/],
    [{ gradedShare: 1.5 }, /gradedShare must be between 0 and 1/],
    [{ studentPool: 2 }, /studentPool/],
  ])('rejects %j', (change, message) => {
    expect(() => generateSite({ ...SMALL, ...change })).toThrow(message);
  });

  it('builds the requested numbers: courses, modules, students from a shared pool', () => {
    const site = generateSite({ ...MEDIUM, studentPool: 40 });
    const courses = site.courses().filter((course) => course.format !== 'site');
    expect(courses).toHaveLength(12);
    for (const course of courses) {
      expect(site.modules(course.id)).toHaveLength(12);
      expect(site.enrolments(course.id).filter((enrolment) => enrolment.roles.includes('student'))).toHaveLength(15);
    }
    const studentIds = courses.flatMap((course) => site.students(course.id).map((student) => student.id));
    expect(new Set(studentIds).size).toBeLessThanOrEqual(40);
  });

  it('suspends a few enrolments: listed as participants, left out of the grade report', async () => {
    const site = generateSite(MEDIUM);
    const course = site
      .courses()
      .find((entry) =>
        site.enrolments(entry.id).some((enrolment) => !enrolment.active && enrolment.roles.includes('student')),
      );
    if (!course) throw new Error('expected a suspended enrolment on the medium site');
    const suspended = site.enrolments(course.id).find((enrolment) => !enrolment.active)?.userid;
    const sim = await startSim(site);
    try {
      const participants = await call<EnrolledJson[]>(sim, 'core_enrol_get_enrolled_users', { courseid: course.id });
      expect(participants.map((user) => user.id)).toContain(suspended);
      const active = await call<EnrolledJson[]>(sim, 'core_enrol_get_enrolled_users', {
        courseid: course.id,
        options: [{ name: 'onlyactive', value: 1 }],
      });
      expect(active.map((user) => user.id)).not.toContain(suspended);
      const report = await gradeReport(sim, course.id);
      expect(report.usergrades.map((user) => user.userid)).not.toContain(suspended);
    } finally {
      await sim.close();
    }
  });

  it('grades about gradedShare of the cells of students who have grades at all', () => {
    const site = generateSite({
      seed: 'share',
      courses: 10,
      studentsPerCourse: 30,
      activitiesPerCourse: 15,
      gradedShare: 0.5,
    });
    let cells = 0;
    let graded = 0;
    for (const course of site.courses().filter((entry) => entry.format !== 'site')) {
      const gradebook = site.gradebook(course.id);
      for (const student of site.students(course.id)) {
        for (const item of gradebook.gradedItems()) {
          cells++;
          if (gradebook.effectiveGrade(item.id, student.id) !== null) graded++;
        }
      }
    }
    expect(graded / cells).toBeGreaterThan(0.4);
    expect(graded / cells).toBeLessThan(0.6);
  });

  it('builds the largest site it accepts, 5,000 courses × 50 students × 20 activities, and serves it', async () => {
    const site = generateSite({ seed: 'big', courses: 5000, studentsPerCourse: 50, activitiesPerCourse: 20 });
    expect(site.courses()).toHaveLength(5001);
    const courseId = 4321;
    expect(site.modules(courseId)).toHaveLength(20);
    expect(site.enrolments(courseId).filter((enrolment) => enrolment.roles.includes('student'))).toHaveLength(50);
    const sim = await startSim(site);
    try {
      const report = await gradeReport(sim, courseId);
      const byId = (a: number, b: number) => a - b;
      expect(report.usergrades.map((user) => user.userid).sort(byId)).toEqual(
        site.students(courseId).map((user) => user.id),
      );
      const itemIds = site.gradeItems(courseId).map((item) => item.id);
      for (const user of report.usergrades) expect(user.gradeitems.map((row) => row.id)).toEqual(itemIds);
    } finally {
      await sim.close();
    }
  });

  describe.each([
    ['the smallest site', SMALL],
    ['a medium site', MEDIUM],
  ])('edge cases in %s', (_name, options) => {
    let sim: MoodleSimulator;
    let courses: CourseJson[];
    let sections: SectionJson[];
    let reports: GradeReport[];
    let rows: GradeRow[];

    beforeAll(async () => {
      sim = await startSim(generateSite(options));
      courses = await call<CourseJson[]>(sim, 'core_course_get_courses');
      sections = [];
      reports = [];
      for (const course of courses.filter((entry) => entry.format !== 'site')) {
        sections.push(...(await contents(sim, course.id)));
        reports.push(await gradeReport(sim, course.id));
      }
      rows = reports.flatMap((report) => report.usergrades.flatMap((user) => user.gradeitems));
    });

    afterAll(() => sim.close());

    const modules = () => sections.flatMap((section) => section.modules);

    it('has the front page and a hidden course', () => {
      expect(courses[0]).toMatchObject({ id: 1, format: 'site' });
      expect(courses.some((course) => course.visible === 0)).toBe(true);
    });

    it('has hidden, stealth and hidden-section activities', () => {
      const visibleSections = sections.filter((section) => section.visible === 1);
      expect(visibleSections.flatMap((section) => section.modules).some((module) => module.visible === 0)).toBe(true);
      expect(modules().some((module) => module.visible === 1 && module.visibleoncoursepage === 0)).toBe(true);
      const hiddenSection = sections.find((section) => section.visible === 0 && section.modules.length > 0);
      expect(hiddenSection?.modules.every((module) => module.visible === 0)).toBe(true);
    });

    it('has labels, pages, links and files, with their contents', () => {
      const byName = (modname: string) => modules().filter((module) => module.modname === modname);
      expect(byName('label')[0]).toMatchObject({ description: expect.stringContaining('<p>') });
      expect(byName('label')[0]).not.toHaveProperty('url');
      for (const modname of ['page', 'url', 'resource']) {
        expect(byName(modname)[0]?.contents).toEqual([expect.objectContaining({ fileurl: expect.any(String) })]);
      }
    });

    it('has ungradable activities (choice, forum without ratings)', () => {
      const gradedCmids = new Set(rows.map((row) => row.cmid));
      for (const modname of ['choice', 'forum']) {
        expect(modules().some((module) => module.modname === modname && !gradedCmids.has(module.id))).toBe(true);
      }
    });

    it('has workshops with two grade items, both graded somewhere', () => {
      const workshop = rows.filter((row) => row.itemmodule === 'workshop' && row.graderaw !== null);
      expect(new Set(workshop.map((row) => row.itemnumber))).toEqual(new Set([0, 1]));
    });

    it('has scale grades with words and letters', () => {
      const scale = rows.find((row) => row.rangeformatted === 'Poor&ndash;Excellent' && row.graderaw !== null);
      expect(['Poor', 'Fair', 'Good', 'Excellent']).toContain(scale?.gradeformatted);
      expect(scale?.lettergradeformatted).toMatch(/^[A-F][+-]?$/);
      expect(scale?.itemname).toMatch(/rating$/);
    });

    it('has category totals, manual items and the course total last', () => {
      for (const report of reports) {
        for (const user of report.usergrades)
          expect(user.gradeitems.at(-1)).toMatchObject({ itemtype: 'course', itemname: null });
      }
      expect(rows.some((row) => row.itemtype === 'category' && row.itemname === null && row.categoryid === null)).toBe(
        true,
      );
      expect(rows.some((row) => row.itemtype === 'manual' && !('cmid' in row))).toBe(true);
    });

    it('has HTML feedback, hidden grade items and students without any grade', () => {
      expect(rows.some((row) => row.feedbackformat === 1 && row.feedback.startsWith('<p>'))).toBe(true);
      expect(rows.some((row) => row.gradeishidden === true)).toBe(true);
      const ungraded = reports
        .flatMap((report) => report.usergrades)
        .filter((user) => user.gradeitems.every((row) => row.graderaw === null && row.gradeformatted === '-'));
      expect(ungraded.length).toBeGreaterThan(0);
      expect(ungraded[0]?.gradeitems.find((row) => row.itemtype === 'mod')?.status).toBe('novalue');
    });

    it('prints weights with PHP float artefacts (serialize_precision 17)', async () => {
      const course = courses.find((entry) => entry.format !== 'site') as CourseJson;
      expect((await post(sim, 'gradereport_user_get_grade_items', { courseid: course.id })).text).toMatch(
        /"weightraw":0\.\d{16,17}[,}]/,
      );
    });

    it('enrols the students and one teacher per course', async () => {
      const course = courses.find((entry) => entry.format !== 'site') as CourseJson;
      const enrolled = await call<EnrolledJson[]>(sim, 'core_enrol_get_enrolled_users', { courseid: course.id });
      const roles = enrolled.flatMap((user) => user.roles.map((role) => role.shortname));
      expect(roles.filter((role) => role === 'editingteacher')).toHaveLength(1);
      expect(roles.filter((role) => role === 'student')).toHaveLength(options.studentsPerCourse);
    });
  });
});
