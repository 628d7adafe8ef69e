import type { UserLookupField } from '../../moodle';
import { cleanInt } from '../protocol/clean-param';
import { wsErrors } from '../protocol/errors';
import { list, structure, text } from '../protocol/external-params';
import { defineWsFunction } from './define';
import { userRecord } from './user-details';

const LOOKUP_FIELDS: readonly string[] = ['id', 'idnumber', 'username', 'email'] satisfies UserLookupField[];

/**
 * core_user_get_users_by_field (docs/moodle.md §7.2): matches in id order, unknown
 * values are simply absent; any other field is a coding_exception.
 */
export const getUsersByField = defineWsFunction({
  params: structure({ field: text('alpha'), values: list(text('raw')) }),
  execute({ field, values }, { site, siteUrl }) {
    if (!LOOKUP_FIELDS.includes(field)) {
      throw wsErrors.codingError(
        'invalid field parameter',
        `The search field '${field}' is not supported, look at the web service documentation`,
      );
    }
    const lookup = field as UserLookupField;
    const users = site.usersBy(
      lookup,
      values.map((value) => cleanLookupValue(lookup, value)),
    );
    return { rows: users.length, body: users.map((user) => userRecord(user, siteUrl)) };
  },
});

/** Moodle cleans the values with the field's PARAM type: ids as integers, usernames lower-cased. */
function cleanLookupValue(field: UserLookupField, value: string): string {
  if (field === 'id') return String(cleanInt(value));
  if (field === 'username') return value.trim().toLowerCase();
  return value;
}
