import { buildActivityIndex } from '../../../src/domain/course-modules';
import { alice, bongani, courseModule, exampleSections, modItem, section } from './fixtures';

describe('buildActivityIndex on the example course 101', () => {
  const index = buildActivityIndex(exampleSections, alice.gradeItems);

  it('knows exactly the modules that own a mod grade item, in course-page order', () => {
    expect([...index.activities.values()]).toEqual([
      { cmid: 1004, name: 'Essay 1: Romantic poets', modName: 'assign', hidden: false, mainGradeItemId: 3003 },
      { cmid: 1005, name: 'Week 2 quiz', modName: 'quiz', hidden: false, mainGradeItemId: 3004 },
      { cmid: 1006, name: 'Seminar discussion', modName: 'forum', hidden: false, mainGradeItemId: 3006 },
      { cmid: 1008, name: 'Essay 2 (draft, not released)', modName: 'assign', hidden: true, mainGradeItemId: 3005 },
      { cmid: 1011, name: 'Mock exam', modName: 'quiz', hidden: true, mainGradeItemId: 3007 },
    ]);
  });

  it('leaves out modules without grade items: announcements, label, page, choice, stealth url', () => {
    for (const cmid of [1001, 1002, 1003, 1007, 1009]) expect(index.activities.has(cmid)).toBe(false);
  });

  it('is the same whichever student the gradebook rows come from', () => {
    expect(buildActivityIndex(exampleSections, bongani.gradeItems)).toEqual(index);
  });
});

describe('buildActivityIndex: visibility', () => {
  const hiddenFlag = (sections: Parameters<typeof buildActivityIndex>[0]) =>
    buildActivityIndex(sections, [modItem({ id: 1, cmid: 10 })]).activities.get(10)?.hidden;

  it('treats a visible module on a visible section as counted', () => {
    expect(hiddenFlag([section([courseModule({ id: 10 })])])).toBe(false);
  });

  it('treats a hidden module as hidden', () => {
    expect(hiddenFlag([section([courseModule({ id: 10, visible: false })])])).toBe(true);
  });

  it('treats a stealth module (available, not shown on the course page) as hidden', () => {
    expect(hiddenFlag([section([courseModule({ id: 10, visibleOnCoursePage: false })])])).toBe(true);
  });

  it('treats a module made available inside a hidden section (stealth by section) as hidden', () => {
    expect(hiddenFlag([section([courseModule({ id: 10, visible: true })], { visible: false })])).toBe(true);
  });

  it('does not hide a module the token user cannot access: restrictions are not hiding', () => {
    expect(hiddenFlag([section([courseModule({ id: 10, userVisible: false })])])).toBe(false);
  });
});

describe('buildActivityIndex: linking grade items to modules', () => {
  const sections = [section([courseModule({ id: 10, modName: 'workshop', instance: 77 })])];

  it('makes item number 0 the main item of a multi-item activity, wherever it sits', () => {
    const items = [
      modItem({ id: 1, cmid: 10, itemModule: 'workshop', itemNumber: 1 }),
      modItem({ id: 2, cmid: 10, itemModule: 'workshop', itemNumber: 0 }),
    ];
    expect(buildActivityIndex(sections, items).activities.get(10)?.mainGradeItemId).toBe(2);
  });

  it('falls back to the first item in gradebook order when there is no item number 0', () => {
    const items = [modItem({ id: 7, cmid: 10, itemNumber: 1000 }), modItem({ id: 3, cmid: 10, itemNumber: 1 })];
    expect(buildActivityIndex(sections, items).activities.get(10)?.mainGradeItemId).toBe(7);
  });

  it('matches an item without cmid by module name and instance', () => {
    const unlinked = modItem({ id: 1, itemModule: 'workshop', itemInstance: 77 });
    expect(buildActivityIndex(sections, [unlinked]).activities.get(10)?.mainGradeItemId).toBe(1);
  });

  it('ignores an item without cmid whose module is gone (asynchronous deletion)', () => {
    const orphan = modItem({ id: 1, itemModule: 'workshop', itemInstance: 78 });
    expect(buildActivityIndex(sections, [orphan]).activities.size).toBe(0);
  });

  it('ignores an item whose cmid is not in the contents, even if another module has its instance', () => {
    const invisible = modItem({ id: 1, cmid: 11, itemModule: 'workshop', itemInstance: 77 });
    expect(buildActivityIndex(sections, [invisible]).activities.size).toBe(0);
  });

  it('never makes course, category or manual items into activities', () => {
    const items = [
      modItem({ id: 1, cmid: 10, itemType: 'manual' }),
      modItem({ id: 2, cmid: 10, itemType: 'category' }),
      modItem({ id: 3, cmid: 10, itemType: 'course' }),
    ];
    expect(buildActivityIndex(sections, items).activities.size).toBe(0);
  });
});
