import { demoSite, type MoodleSimulator } from '../../../src/moodle-sim';
import { call, contents, gradeReport, rowsOf, startSim, type GradeRow, type ModuleJson } from './support';

const ALICE = 2001;
const BONGANI = 2002;

/** Every mutation of the site model shows up in the very next response. */
describe('site mutations', () => {
  let sim: MoodleSimulator;

  beforeEach(async () => {
    sim = await startSim(demoSite());
  });

  afterEach(() => sim.close());

  const row = async (userid: number, itemId: number): Promise<GradeRow> => {
    const found = rowsOf(await gradeReport(sim, 101), userid).find((entry) => entry.id === itemId);
    if (!found) throw new Error(`no row ${itemId} for user ${userid}`);
    return found;
  };

  const module = async (cmid: number): Promise<ModuleJson> => {
    const found = (await contents(sim, 101)).flatMap((section) => section.modules).find((entry) => entry.id === cmid);
    if (!found) throw new Error(`no module ${cmid}`);
    return found;
  };

  describe('grades', () => {
    it('grade() sets value, feedback and date, and the totals and weights follow', async () => {
      const before = Math.floor(Date.now() / 1000);
      sim.site.grade(101, BONGANI, 1005, 7, { feedback: '<p>Nearly there.</p>' });

      expect(await row(BONGANI, 3004)).toMatchObject({
        graderaw: 7,
        gradeformatted: '7.00',
        percentageformatted: '70.00 %',
        lettergradeformatted: 'C-',
        feedback: '<p>Nearly there.</p>',
        feedbackformat: 1,
        weightraw: 1,
        weightformatted: '100.00 %',
      });
      expect(await row(BONGANI, 3004)).not.toHaveProperty('status');
      expect((await row(BONGANI, 3004)).gradedategraded).toBeGreaterThanOrEqual(before);
      expect(await row(BONGANI, 3002)).toMatchObject({ graderaw: 7, grademax: 10, percentageformatted: '70.00 %' });
      expect(await row(BONGANI, 3001)).toMatchObject({ graderaw: 7, grademax: 10 });
      expect(sim.site.gradeOf(101, BONGANI, 1005)).toBe(7);
    });

    it('grade(…, null) removes a grade', async () => {
      sim.site.grade(101, ALICE, 1004, null);
      expect(await row(ALICE, 3003)).toMatchObject({
        graderaw: null,
        status: 'novalue',
        gradeformatted: '-',
        weightraw: 0,
      });
      expect(await row(ALICE, 3002)).toMatchObject({ graderaw: 8.5, grademax: 10 });
      expect(sim.site.gradeOf(101, ALICE, 1004)).toBeNull();
    });

    it('grade() keeps earlier feedback and rejects values outside the range', async () => {
      sim.site.grade(101, ALICE, 1004, 64);
      expect(await row(ALICE, 3003)).toMatchObject({ graderaw: 64, feedback: expect.stringContaining('citations') });
      expect(() => sim.site.grade(101, ALICE, 1004, 101)).toThrow(RangeError);
      expect(() => sim.site.grade(101, ALICE, 1006, 2.5)).toThrow(RangeError);
      expect(() => sim.site.grade(101, ALICE, 1007, 1)).toThrow(/no grade item/);
    });

    it('overrideGrade() overrides any item, totals included, and null lifts the override', async () => {
      sim.site.overrideGrade(101, ALICE, 3001, 100);
      expect(await row(ALICE, 3001)).toMatchObject({ graderaw: 100, gradeisoverridden: true });
      sim.site.overrideGrade(101, BONGANI, 3007, 15);
      expect(await row(BONGANI, 3007)).toMatchObject({ graderaw: 15, gradeisoverridden: true, gradeishidden: true });
      sim.site.overrideGrade(101, ALICE, 3001, null);
      expect(await row(ALICE, 3001)).toMatchObject({ graderaw: 94.5, gradeisoverridden: false });
    });

    it('grades an activity with two items (workshop) by item number', async () => {
      const workshop = sim.site.addActivity(101, {
        section: 2,
        modname: 'workshop',
        name: 'Peer review',
        gradeItems: [
          { itemname: 'Peer review (submission)', grademax: 80 },
          { itemname: 'Peer review (assessment)', grademax: 20 },
        ],
      });
      sim.site.grade(101, ALICE, workshop.id, 16, { itemNumber: 1 });
      const rows = rowsOf(await gradeReport(sim, 101), ALICE).filter((entry) => entry.cmid === workshop.id);
      expect(rows.map((entry) => [entry.itemnumber, entry.graderaw])).toEqual([
        [0, null],
        [1, 16],
      ]);
      expect((await module(workshop.id)).modname).toBe('workshop');
    });

    it('setShowGrades(false) removes graderaw and every grade* field, but not range or percentage', async () => {
      sim.site.setShowGrades(101, false);
      const hidden = await row(ALICE, 3003);
      for (const key of [
        'graderaw',
        'gradedatesubmitted',
        'gradedategraded',
        'gradeishidden',
        'gradeisoverridden',
        'gradeformatted',
      ]) {
        expect(hidden).not.toHaveProperty(key);
      }
      expect(hidden).toMatchObject({ grademin: 0, grademax: 100, percentageformatted: '78.00 %' });
      sim.site.setShowGrades(101, true);
      expect(await row(ALICE, 3003)).toMatchObject({ graderaw: 78 });
    });
  });

  describe('visibility', () => {
    it('hiding an activity sets visible 0 and hides its grade items; showing undoes it', async () => {
      sim.site.setActivityVisible(101, 1004, false);
      expect(await module(1004)).toMatchObject({ visible: 0, uservisible: true });
      expect(await row(ALICE, 3003)).toMatchObject({ gradeishidden: true, graderaw: 78 });
      sim.site.setActivityVisible(101, 1004, true);
      expect((await module(1004)).visible).toBe(1);
      expect((await row(ALICE, 3003)).gradeishidden).toBe(false);
    });

    it('leaves hidden items out entirely without moodle/grade:viewhidden', async () => {
      sim.site.removeCapability('moodle/grade:viewhidden');
      expect(rowsOf(await gradeReport(sim, 101), ALICE).map((entry) => entry.id)).toEqual([
        3003, 3004, 3002, 3006, 3008, 3001,
      ]);
    });

    it('stealth keeps visible 1 with visibleoncoursepage 0, and back', async () => {
      sim.site.setActivityStealth(101, 1003, true);
      expect(await module(1003)).toMatchObject({ visible: 1, visibleoncoursepage: 0 });
      sim.site.setActivityStealth(101, 1003, false);
      expect((await module(1003)).visibleoncoursepage).toBe(1);
    });

    it('hiding a section hides its modules and showing it restores each one’s own state', async () => {
      sim.site.setSectionVisible(101, 2, false);
      const hidden = (await contents(sim, 101))[2];
      expect(hidden).toMatchObject({ visible: 0 });
      expect(hidden?.modules.map((entry) => [entry.id, entry.visible])).toEqual([
        [1008, 0],
        [1009, 0],
      ]);
      sim.site.setSectionVisible(101, 2, true);
      expect((await contents(sim, 101))[2]?.modules.map((entry) => [entry.id, entry.visible])).toEqual([
        [1008, 0],
        [1009, 1],
      ]);
      sim.site.setSectionVisible(101, 3, true);
      expect((await module(1011)).visible).toBe(1);
      expect((await row(ALICE, 3007)).gradeishidden).toBe(false);
    });

    it('adding a module to a hidden section hides it', async () => {
      const added = sim.site.addActivity(101, { section: 3, modname: 'page', name: 'Exam tips' });
      expect(await module(added.id)).toMatchObject({
        visible: 0,
        contents: [expect.objectContaining({ filename: 'index.html' })],
      });
    });
  });

  describe('courses and people', () => {
    it('updateCourse() changes get_courses and bumps timemodified', async () => {
      sim.site.updateCourse(101, { fullname: 'English Literature 201 (renamed)', visible: false });
      const [course] = await call<{ fullname: string; visible: number; timemodified: number }[]>(
        sim,
        'core_course_get_courses',
        {
          options: { ids: [101] },
        },
      );
      expect(course).toMatchObject({ fullname: 'English Literature 201 (renamed)', visible: 0 });
      expect(course?.timemodified).toBeGreaterThan(1736900000);
    });

    it('deleteCourse() and restoreCourse()', async () => {
      sim.site.deleteCourse(101);
      expect(sim.site.courses().map((course) => course.id)).not.toContain(101);
      await expect(contents(sim, 101)).resolves.toMatchObject({ errorcode: 'invalidrecord' });
      sim.site.restoreCourse(101);
      expect(await contents(sim, 101)).toHaveLength(4);
    });

    it('addCourse() adds a course with default sections and only a course total', async () => {
      const course = sim.site.addCourse({ shortname: 'NEW100', fullname: 'New course', categoryid: 3 });
      const listed = await call<{ id: number; shortname: string; numsections: number }[]>(
        sim,
        'core_course_get_courses',
      );
      expect(listed.find((entry) => entry.id === course.id)).toMatchObject({ shortname: 'NEW100', numsections: 4 });
      expect((await contents(sim, course.id)).map((section) => section.name)).toEqual([
        'General',
        'Topic 1',
        'Topic 2',
        'Topic 3',
        'Topic 4',
      ]);
      const student = sim.site.addStudent({ firstname: 'Zoë', lastname: 'Berg' });
      sim.site.enrol(course.id, student.id);
      const report = await gradeReport(sim, course.id);
      expect(report.usergrades).toHaveLength(1);
      expect(report.usergrades[0]).toMatchObject({ userfullname: 'Zoë Berg', maxdepth: 1 });
      expect(report.usergrades[0]?.gradeitems).toEqual([
        expect.objectContaining({ itemtype: 'course', graderaw: null }),
      ]);
    });

    it('enrol, suspend, unenrol and re-enrol: grades come back with the enrolment', async () => {
      const student = sim.site.addStudent({ firstname: 'Chloé', lastname: 'Dubois', idnumber: 'S1003' });
      sim.site.enrol(101, student.id);
      sim.site.grade(101, student.id, 1005, 9);
      expect(rowsOf(await gradeReport(sim, 101), student.id).find((entry) => entry.id === 3004)?.graderaw).toBe(9);
      const participants = await call<{ id: number; enrolledcourses: { id: number }[] }[]>(
        sim,
        'core_enrol_get_enrolled_users',
        {
          courseid: 101,
        },
      );
      expect(participants.find((user) => user.id === student.id)?.enrolledcourses).toEqual([
        { id: 101, fullname: 'English Literature 201', shortname: 'ENG201-2025' },
      ]);

      sim.site.setEnrolmentActive(101, student.id, false);
      expect((await gradeReport(sim, 101)).usergrades.map((user) => user.userid)).not.toContain(student.id);
      sim.site.setEnrolmentActive(101, student.id, true);

      sim.site.unenrol(101, student.id);
      expect((await gradeReport(sim, 101)).usergrades.map((user) => user.userid)).toEqual([BONGANI, ALICE]);
      const found = await call<{ id: number }[]>(sim, 'core_user_get_users_by_field', {
        field: 'idnumber',
        values: ['S1003'],
      });
      expect(found.map((user) => user.id)).toEqual([student.id]);

      sim.site.enrol(101, student.id);
      expect(rowsOf(await gradeReport(sim, 101), student.id).find((entry) => entry.id === 3004)?.graderaw).toBe(9);
    });

    it('a second role is added to the same enrolment', async () => {
      sim.site.enrol(101, ALICE, 'teacher');
      const participants = await call<{ id: number; roles: { shortname: string; roleid: number }[] }[]>(
        sim,
        'core_enrol_get_enrolled_users',
        { courseid: 101 },
      );
      expect(
        participants.find((user) => user.id === ALICE)?.roles.map((role) => [role.roleid, role.shortname]),
      ).toEqual([
        [5, 'student'],
        [4, 'teacher'],
      ]);
    });
  });
});
