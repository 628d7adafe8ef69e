import { courseGradeOf } from '../../../src/domain/grade';
import { alice, bongani, modItem } from './fixtures';

describe('courseGradeOf', () => {
  it("takes Alice's course total as the gradebook reports it, in plain text", () => {
    expect(courseGradeOf(alice.gradeItems)).toEqual({
      raw: 94.5,
      formatted: '94.50',
      percentage: '78.75 %',
      letter: 'C+',
      min: 0,
      max: 120,
      range: '0\u2013120',
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
      range: '0\u2013240',
    });
  });

  it('makes the formatted values plain text', () => {
    const total = modItem({
      id: 9,
      itemType: 'course',
      itemName: null,
      gradeFormatted: '<i class="icon fa fa-check text-success" title="Pass"></i>78.00',
      percentageFormatted: '78.00&nbsp;%',
      letterGradeFormatted: '<span class="letter">C+</span>',
      rangeFormatted: '0&ndash;100',
    });
    expect(courseGradeOf([total])).toMatchObject({
      formatted: '78.00',
      percentage: '78.00 %',
      letter: 'C+',
      range: '0\u2013100',
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
