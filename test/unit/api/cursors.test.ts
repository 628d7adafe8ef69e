import { decodeCursor, encodeCursor } from '../../../src/api/cursors';

describe('connection cursors', () => {
  it('give back the id they were made from, in the list they were made for', () => {
    expect(decodeCursor('courses', encodeCursor('courses', 101))).toBe('101');
    expect(decodeCursor('students', encodeCursor('students', '0123456789abcdef01234567'))).toBe(
      '0123456789abcdef01234567',
    );
    expect(decodeCursor('syncRuns', undefined)).toBeUndefined();
  });

  it('are refused by another list: ids of students, enrollments and sync errors look alike', () => {
    const student = encodeCursor('students', '0123456789abcdef01234567');
    expect(() => decodeCursor('enrollments', student)).toThrow('The cursor is not one this API gave out.');
    expect(() => decodeCursor('syncErrors', student)).toThrow('The cursor is not one this API gave out.');
  });

  it.each([
    ['empty', ''],
    ['not base64', '!!!'],
    ['an earlier format', Buffer.from('c1:101').toString('base64url')],
    ['without an id', encodeCursor('courses', '')],
    ['with characters base64 decoding skips', `${encodeCursor('courses', 101)}!!`],
    ['padded', `${encodeCursor('courses', 101)}=`],
    ['standard base64', Buffer.from('c2:courses:1?>').toString('base64')],
  ])('refuse a cursor %s', (_case, cursor) => {
    expect(() => decodeCursor('courses', cursor)).toThrow('The cursor is not one this API gave out.');
  });
});
