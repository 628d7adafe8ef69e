import { encodeParams } from '../../../src/moodle/encode';

describe('encodeParams', () => {
  it('writes nested lists and structures in PHP bracket syntax', () => {
    const form = encodeParams({
      options: { ids: [5, 7] },
      values: ['s1001', 'a b&c'],
      list: [
        { name: 'excludecontents', value: true },
        { name: 'modname', value: 'assign' },
      ],
    });
    expect([...form]).toEqual([
      ['options[ids][0]', '5'],
      ['options[ids][1]', '7'],
      ['values[0]', 's1001'],
      ['values[1]', 'a b&c'],
      ['list[0][name]', 'excludecontents'],
      ['list[0][value]', '1'],
      ['list[1][name]', 'modname'],
      ['list[1][value]', 'assign'],
    ]);
    expect(form.toString()).toContain('values%5B1%5D=a+b%26c');
  });

  it('sends booleans as 1/0, which PARAM_BOOL accepts', () => {
    expect(encodeParams({ yes: true, no: false }).toString()).toBe('yes=1&no=0');
  });

  it('leaves out empty lists, as PHP would not see them either', () => {
    expect(encodeParams({ courseid: 3, values: [] }).toString()).toBe('courseid=3');
  });
});
