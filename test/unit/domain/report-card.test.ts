import { reportCardOf } from '../../../src/domain/report-card';
import type { GradeItem } from '../../../src/domain/moodle-data';
import { alice, bongani, modItem } from './fixtures';

describe('reportCardOf on the example gradebook', () => {
  const aliceCard = reportCardOf(alice.gradeItems);

  it('has one line per grade item in gradebook order, totals named', () => {
    expect(aliceCard.map((line) => [line.gradeItemId, line.name, line.itemType])).toEqual([
      [3003, 'Essay 1: Romantic poets', 'mod'],
      [3004, 'Week 2 quiz', 'mod'],
      [3005, 'Essay 2 (draft, not released)', 'mod'],
      [3002, 'Category total', 'category'],
      [3006, 'Seminar discussion rating', 'mod'],
      [3007, 'Mock exam', 'mod'],
      [3008, 'Attendance', 'manual'],
      [3001, 'Course total', 'course'],
    ]);
  });

  it("turns the essay's pass icon, range entity and feedback HTML into plain text", () => {
    const essay = alice.gradeItems[0]!;
    expect(essay.gradeFormatted).toContain('<i class="icon fa fa-check');
    expect(aliceCard[0]).toEqual({
      gradeItemId: 3003,
      name: 'Essay 1: Romantic poets',
      itemType: 'mod',
      module: 'assign',
      cmid: 1004,
      grade: '78.00',
      raw: 78,
      percentage: '78.00 %',
      letter: 'C+',
      range: '0\u2013100',
      weight: '90.91 %',
      weightRaw: 0.90909,
      feedback: 'Well-structured argument. Work on your citations (see the style guide).',
      gradedAt: essay.gradeDateGraded,
      submittedAt: essay.gradeDateSubmitted,
      hidden: false,
    });
  });

  it('shows a scale grade as Moodle formats it', () => {
    expect(aliceCard[4]).toMatchObject({ grade: 'Good', raw: 3, range: 'Poor\u2013Excellent', letter: 'D' });
  });

  it('marks hidden items and leaves a manual item without module or cmid', () => {
    expect(aliceCard.filter((line) => line.hidden).map((line) => line.gradeItemId)).toEqual([3005, 3007]);
    expect(aliceCard[6]).toMatchObject({ module: null, cmid: null, grade: '5.00', weightRaw: 0.05 });
  });

  it('shows an ungraded student with null grades and Moodle\'s "-"', () => {
    expect(reportCardOf(bongani.gradeItems)[0]).toMatchObject({
      raw: null,
      grade: '-',
      percentage: '-',
      gradedAt: null,
      submittedAt: null,
    });
  });
});

describe('reportCardOf: focused cases', () => {
  it.each([
    [0.33333000000000002, 0.33333],
    [0.1 + 0.2, 0.3],
    [0.123456789, 0.12346],
    [1, 1],
    [0, 0],
  ])('rounds the weight %p to %p', (weightRaw, expected) => {
    expect(reportCardOf([modItem({ id: 1, cmid: 10, weightRaw })])[0]?.weightRaw).toBe(expected);
  });

  it('gives null for every field the report did not send', () => {
    const bare: GradeItem = {
      id: 1,
      itemName: 'Bare',
      itemType: 'mod',
      itemModule: 'quiz',
      itemInstance: 3,
      itemNumber: 0,
      idNumber: null,
      categoryId: 1,
    };
    expect(reportCardOf([bare])).toEqual([
      {
        gradeItemId: 1,
        name: 'Bare',
        itemType: 'mod',
        module: 'quiz',
        cmid: null,
        grade: null,
        raw: null,
        percentage: null,
        letter: null,
        range: null,
        weight: null,
        weightRaw: null,
        feedback: null,
        gradedAt: null,
        submittedAt: null,
        hidden: false,
      },
    ]);
  });

  it('uses the item name a total happens to carry', () => {
    expect(reportCardOf([modItem({ id: 1, itemType: 'category', itemName: 'Essays' })])[0]?.name).toBe('Essays');
  });

  it('makes the item name plain text too', () => {
    const item = modItem({ id: 1, itemName: '<span lang="en" class="multilang">Q&amp;A</span> quiz' });
    expect(reportCardOf([item])[0]?.name).toBe('Q&A quiz');
  });

  it('keeps an empty feedback string as Moodle sent it', () => {
    expect(reportCardOf([modItem({ id: 1, cmid: 10, feedback: '' })])[0]?.feedback).toBe('');
  });

  it('gives an empty report card for an empty gradebook', () => {
    expect(reportCardOf([])).toEqual([]);
  });
});
