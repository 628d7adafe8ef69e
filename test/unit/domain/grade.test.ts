import { courseGradeOf } from '../../../src/domain/grade';
import { alice, bongani, modItem } from './fixtures';

describe('courseGradeOf', () => {
  it("takes Alice's course total exactly as the gradebook reports it", () => {
    expect(courseGradeOf(alice.gradeItems)).toEqual({
      raw: 94.5,
      formatted: '94.50',
      percentage: '78.75 %',
      letter: 'C+',
      min: 0,
      max: 120,
      range: '0&ndash;120',
    });
  });

  it("keeps Bongani's empty total with its per-user bounds", () => {
    expect(courseGradeOf(bongani.gradeItems)).toEqual({
      raw: null,
      formatted: '-',
      percentage: '-',
      letter: '-',
      min: 0,
      max: 240,
      range: '0&ndash;240',
    });
  });

  it('does not mistake a category total for the course total', () => {
    const categoryOnly = alice.gradeItems.filter((item) => item.itemType !== 'course');
    expect(courseGradeOf(categoryOnly)).toBeNull();
  });

  it('gives nulls for what the report does not show', () => {
    const total = { ...modItem({ id: 9, itemType: 'course', itemName: null }), gradeRaw: undefined };
    expect(courseGradeOf([total])).toEqual({
      raw: null,
      formatted: null,
      percentage: null,
      letter: null,
      min: null,
      max: null,
      range: null,
    });
  });
});
