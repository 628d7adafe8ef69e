import { buildActivityIndex } from '../../../src/domain/course-modules';
import { computeProgress } from '../../../src/domain/progress';
import type { GradeItem } from '../../../src/domain/moodle-data';
import { alice, bongani, courseModule, exampleSections, modItem, section } from './fixtures';

/** Drops `graderaw` the way Moodle does when the user report's "Show grade" is off. */
function withoutGradeRaw(items: GradeItem[]): GradeItem[] {
  return items.map((item) => {
    const copy = { ...item };
    delete copy.gradeRaw;
    return copy;
  });
}

describe('computeProgress on the example course 101', () => {
  const index = buildActivityIndex(exampleSections, alice.gradeItems);

  it('gives Alice 3 of 3 visible activities: 100 %', () => {
    expect(computeProgress(index, alice.gradeItems)).toEqual({ percent: 100, graded: 3, total: 3 });
  });

  it('gives Bongani 0 of 3: 0 %', () => {
    expect(computeProgress(index, bongani.gradeItems)).toEqual({ percent: 0, graded: 0, total: 3 });
  });

  it('reports an unknown progress, not 0 %, when the report hides grades', () => {
    expect(computeProgress(index, withoutGradeRaw(alice.gradeItems))).toEqual({
      percent: null,
      graded: 0,
      total: 3,
      unknownReason: 'grades-hidden-by-report',
    });
  });
});

describe('computeProgress: what counts as graded', () => {
  const sections = [section([10, 11, 12].map((id) => courseModule({ id })))];
  const progressOf = (items: GradeItem[]) => computeProgress(buildActivityIndex(sections, items), items);

  it('rounds the percentage to two decimals', () => {
    const oneGraded = [
      modItem({ id: 1, cmid: 10, gradeRaw: 4 }),
      modItem({ id: 2, cmid: 11 }),
      modItem({ id: 3, cmid: 12 }),
    ];
    expect(progressOf(oneGraded)).toEqual({ percent: 33.33, graded: 1, total: 3 });
    const twoGraded = oneGraded.map((item) => (item.id === 2 ? { ...item, gradeRaw: 0 } : item));
    expect(progressOf(twoGraded)).toEqual({ percent: 66.67, graded: 2, total: 3 });
  });

  it('counts a grade of zero as a grade', () => {
    expect(progressOf([modItem({ id: 1, cmid: 10, gradeRaw: 0 })]).graded).toBe(1);
  });

  it('counts an override in the gradebook', () => {
    const overridden = modItem({ id: 1, cmid: 10, gradeRaw: 55, gradeIsOverridden: true, gradeDateSubmitted: null });
    expect(progressOf([overridden]).graded).toBe(1);
  });

  it('does not count feedback or a grading date without a grade', () => {
    const feedbackOnly = modItem({
      id: 1,
      cmid: 10,
      gradeRaw: null,
      feedback: '<p>Please resubmit.</p>',
      gradeDateGraded: 1_738_000_000,
      gradeDateSubmitted: 1_737_000_000,
    });
    expect(progressOf([feedbackOnly])).toEqual({ percent: 0, graded: 0, total: 1 });
  });

  it('decides a multi-item activity by its item number 0 only', () => {
    const workshop = (submission: number | null, assessment: number | null) => [
      modItem({ id: 1, cmid: 10, itemModule: 'workshop', itemNumber: 0, gradeRaw: submission }),
      modItem({ id: 2, cmid: 10, itemModule: 'workshop', itemNumber: 1, gradeRaw: assessment }),
    ];
    expect(progressOf(workshop(null, 8)).graded).toBe(0);
    expect(progressOf(workshop(40, null))).toEqual({ percent: 100, graded: 1, total: 1 });
  });

  it('decides a multi-item activity without item number 0 by its first item', () => {
    const items = (first: number | null, second: number | null) => [
      modItem({ id: 5, cmid: 10, itemNumber: 1000, gradeRaw: first }),
      modItem({ id: 6, cmid: 10, itemNumber: 1001, gradeRaw: second }),
    ];
    expect(progressOf(items(null, 2)).graded).toBe(0);
    expect(progressOf(items(2, null)).graded).toBe(1);
  });

  it('counts an item without cmid linked by module and instance', () => {
    expect(progressOf([modItem({ id: 1, itemModule: 'assign', itemInstance: 11, gradeRaw: 7 })])).toEqual({
      percent: 100,
      graded: 1,
      total: 1,
    });
  });

  it('does not count an item whose module is not in the contents', () => {
    expect(progressOf([modItem({ id: 1, cmid: 10, gradeRaw: 7 }), modItem({ id: 2, cmid: 99, gradeRaw: 7 })])).toEqual({
      percent: 100,
      graded: 1,
      total: 1,
    });
  });

  it('counts a student without the main item row as not graded', () => {
    const index = buildActivityIndex(sections, [modItem({ id: 1, cmid: 10 })]);
    expect(computeProgress(index, [])).toEqual({ percent: 0, graded: 0, total: 1 });
  });

  it('ignores grades on hidden activities in both figures', () => {
    const hiddenSections = [section([courseModule({ id: 10 }), courseModule({ id: 11, visible: false })])];
    const items = [modItem({ id: 1, cmid: 10 }), modItem({ id: 2, cmid: 11, gradeRaw: 9, gradeIsHidden: true })];
    expect(computeProgress(buildActivityIndex(hiddenSections, items), items)).toEqual({
      percent: 0,
      graded: 0,
      total: 1,
    });
  });
});

describe('computeProgress: edge cases', () => {
  it('gives 0 of 0 at 0 % when no activity is visible, instead of dividing by zero', () => {
    const sections = [section([courseModule({ id: 10, modName: 'label' }), courseModule({ id: 11, visible: false })])];
    const items = [modItem({ id: 1, cmid: 11, gradeRaw: 3 })];
    expect(computeProgress(buildActivityIndex(sections, items), items)).toEqual({ percent: 0, graded: 0, total: 0 });
  });

  it('gives 0 of 0 for a course without any grade item', () => {
    expect(computeProgress(buildActivityIndex(exampleSections, []), [])).toEqual({ percent: 0, graded: 0, total: 0 });
  });

  it('still reports hidden grades when no activity is visible, so the sync flags the course', () => {
    const sections = [section([courseModule({ id: 10, visible: false })])];
    const items = withoutGradeRaw([modItem({ id: 1, cmid: 10 })]);
    expect(computeProgress(buildActivityIndex(sections, items), items)).toMatchObject({
      percent: null,
      total: 0,
      unknownReason: 'grades-hidden-by-report',
    });
  });

  it('treats a single missing graderaw among present ones as not graded, not as hidden grades', () => {
    const sections = [section([courseModule({ id: 10 }), courseModule({ id: 11 })])];
    const items = [...withoutGradeRaw([modItem({ id: 1, cmid: 10 })]), modItem({ id: 2, cmid: 11, gradeRaw: 1 })];
    expect(computeProgress(buildActivityIndex(sections, items), items)).toEqual({ percent: 50, graded: 1, total: 2 });
  });

  it('looks only at mod items to decide that the report hides grades', () => {
    const items = alice.gradeItems.map((item) => (item.itemType === 'mod' ? item : withoutGradeRaw([item])[0]!));
    const index = buildActivityIndex(exampleSections, items);
    expect(computeProgress(index, items)).toEqual({ percent: 100, graded: 3, total: 3 });
  });
});
