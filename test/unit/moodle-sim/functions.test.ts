import { demoSite, type MoodleSimulator } from '../../../src/moodle-sim';
import { call, contents, gradeReport, startSim, type GradeReport } from './support';

interface UserJson {
  id: number;
  username?: string;
  fullname?: string;
  lastname?: string;
  idnumber?: string;
  roles?: unknown[];
  groups?: { id: number }[];
}

describe('function options and variants', () => {
  let sim: MoodleSimulator;

  beforeAll(async () => {
    sim = await startSim(demoSite());
  });

  afterAll(() => sim.close());

  const moduleIds = async (options: { name: string; value: string | number | boolean }[]) =>
    (await contents(sim, 101, options)).map((section) => [section.section, section.modules.map((module) => module.id)]);

  describe('core_course_get_contents', () => {
    it('excludecontents keeps an empty contents list and the contents summary', async () => {
      const sections = await contents(sim, 101, [{ name: 'excludecontents', value: 1 }]);
      const page = sections[1]?.modules[0];
      expect(page).toMatchObject({
        modname: 'page',
        contents: [],
        contentsinfo: expect.objectContaining({ filescount: 1 }),
      });
    });

    it('excludemodules returns the sections only', async () => {
      expect(await moduleIds([{ name: 'excludemodules', value: 'true' }])).toEqual([
        [0, []],
        [1, []],
        [2, []],
        [3, []],
      ]);
    });

    it('filters by section number, section id, cmid, and modname with modid', async () => {
      expect(await moduleIds([{ name: 'sectionnumber', value: 2 }])).toEqual([[2, [1008, 1009]]]);
      expect(await moduleIds([{ name: 'sectionid', value: 5010 }])).toEqual([[0, [1001, 1002]]]);
      expect(await moduleIds([{ name: 'cmid', value: 1006 }])).toEqual([
        [0, []],
        [1, [1006]],
        [2, []],
        [3, []],
      ]);
      expect(
        await moduleIds([
          { name: 'modname', value: 'forum' },
          { name: 'modid', value: 52 },
        ]),
      ).toEqual([
        [0, []],
        [1, [1006]],
        [2, []],
        [3, []],
      ]);
    });

    it('keeps stealth modules in their section for a manager token, with includestealthmodules too', async () => {
      const sections = await contents(sim, 101, [{ name: 'includestealthmodules', value: 1 }]);
      expect(sections.map((section) => section.id)).toEqual([5010, 5011, 5012, 5013]);
      expect(sections[2]?.modules.find((module) => module.id === 1009)).toMatchObject({
        visible: 1,
        visibleoncoursepage: 0,
      });
    });

    it('serves generated resources with file details', async () => {
      const generated = sim.site.courses().find((course) => course.id > 102);
      const modules = (await contents(sim, generated?.id ?? 0)).flatMap((section) => section.modules);
      expect(modules.find((module) => module.modname === 'resource')?.contents).toEqual([
        expect.objectContaining({ type: 'file', mimetype: 'application/pdf', filesize: expect.any(Number) }),
      ]);
    });
  });

  describe('gradereport_user_get_grade_items', () => {
    it('answers one user for userid=N, any enrolment state', async () => {
      const report = await gradeReport(sim, 101, 2001);
      expect(report.usergrades.map((user) => user.userid)).toEqual([2001]);
      expect(report.usergrades[0]?.gradeitems).toHaveLength(8);
    });

    it('narrows userid=0 to a group', async () => {
      const report = await call<GradeReport>(sim, 'gradereport_user_get_grade_items', { courseid: 101, groupid: 72 });
      expect(report.usergrades.map((user) => user.userid)).toEqual([2002]);
    });

    it('computes natural totals: sums of the graded children, whose weights add up to 1', async () => {
      let categoriesChecked = 0;
      for (const course of sim.site.courses().filter((entry) => entry.id !== 1)) {
        for (const user of (await gradeReport(sim, course.id)).usergrades) {
          // Totals carry their category id in iteminstance; children point at it with categoryid.
          for (const total of user.gradeitems.filter(
            (row) => row.itemtype === 'course' || row.itemtype === 'category',
          )) {
            const children = user.gradeitems.filter(
              (row) =>
                row.categoryid === total.iteminstance || (total.itemtype === 'course' && row.itemtype === 'category'),
            );
            const graded = children.filter((row) => row.graderaw !== null);
            if (graded.length === 0) {
              expect(total.graderaw).toBeNull();
              continue;
            }
            categoriesChecked++;
            expect(total.graderaw).toBeCloseTo(
              graded.reduce((sum, row) => sum + (row.graderaw ?? 0), 0),
              5,
            );
            expect(total.grademax).toBeCloseTo(
              graded.reduce((sum, row) => sum + row.grademax, 0),
              5,
            );
            expect(graded.reduce((sum, row) => sum + (row.weightraw ?? 0), 0)).toBeCloseTo(1, 3);
          }
        }
      }
      expect(categoriesChecked).toBeGreaterThan(10);
    });
  });

  describe('core_enrol_get_enrolled_users', () => {
    const enrolled = (options: { name: string; value: string | number }[]) =>
      call<UserJson[]>(sim, 'core_enrol_get_enrolled_users', { courseid: 101, options });

    it('userfields keeps the named fields and the id', async () => {
      expect(await enrolled([{ name: 'userfields', value: 'fullname, idnumber' }])).toEqual([
        { id: 1500, fullname: 'Tina Okafor', idnumber: 'T0042' },
        { id: 2001, fullname: 'Alice Martin', idnumber: 'S1001' },
        { id: 2002, fullname: 'Bongani Dlamini', idnumber: 'S1002' },
      ]);
    });

    it('pages with limitfrom and limitnumber, sorts by lastname descending', async () => {
      const ids = (users: UserJson[]) => users.map((user) => user.id);
      expect(
        ids(
          await enrolled([
            { name: 'limitfrom', value: 1 },
            { name: 'limitnumber', value: 1 },
          ]),
        ),
      ).toEqual([2001]);
      expect(
        ids(
          await enrolled([
            { name: 'sortby', value: 'lastname' },
            { name: 'sortdirection', value: 'desc' },
          ]),
        ),
      ).toEqual([1500, 2001, 2002]);
    });

    it('filters by group and ignores option names it does not know', async () => {
      const users = await enrolled([
        { name: 'groupid', value: 71 },
        { name: 'colour', value: 'red' },
      ]);
      expect(users.map((user) => [user.id, user.groups?.map((group) => group.id)])).toEqual([[2001, [71]]]);
    });
  });

  describe('core_user_get_users_by_field', () => {
    const byField = (field: string, values: string[]) =>
      call<UserJson[]>(sim, 'core_user_get_users_by_field', { field, values });

    it.each([
      ['id', ['2002', '2001', '404']],
      ['idnumber', ['S1001', 'S1002']],
      ['username', ['S1001', 's1002 ']],
      ['email', ['alice.martin@students.example.edu', 'bongani.dlamini@students.example.edu']],
    ])('finds users by %s, in id order, unknown values absent', async (field, values) => {
      const users = await byField(field, values);
      expect(users.map((user) => user.id)).toEqual([2001, 2002]);
      expect(users[0]).not.toHaveProperty('roles');
      expect(users[0]).toMatchObject({ username: 's1001', fullname: 'Alice Martin' });
    });

    it('cannot receive an empty list: form encoding drops it, so Moodle misses the key', async () => {
      expect(await byField('id', [])).toMatchObject({
        errorcode: 'invalidparameter',
        debuginfo: 'Missing required key in single structure: values',
      });
    });
  });
});
