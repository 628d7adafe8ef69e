import type { UserLookupField } from '../../moodle';
import { IdSequence } from '../id-sequence';
import type { SimUser } from '../records';
import type { UserInput } from '../site-inputs';
import { NONE } from './shared-empty-list';

/** The site's user accounts, with the lookups core_user_get_users_by_field needs. */
export class UserDirectory {
  private readonly byId = new Map<number, SimUser>();
  /** Built on first lookup and dropped when a user is added: generated sites add thousands before the first call. */
  private readonly indexes = new Map<UserLookupField, Map<string, SimUser[]>>();
  private readonly ids = new IdSequence(2);

  /** Users and modules share Moodle's context ids. */
  constructor(private readonly contextIds: IdSequence) {}

  add(input: UserInput): SimUser {
    if (input.id !== undefined && this.byId.has(input.id)) throw new Error(`user ${input.id} exists`);
    const id = this.ids.take(input.id);
    const username =
      input.username ?? `${input.firstname.charAt(0)}${input.lastname}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    const user: SimUser = {
      id,
      username,
      firstname: input.firstname,
      lastname: input.lastname,
      email: input.email ?? `${username}@example.edu`,
      idnumber: input.idnumber ?? '',
      department: input.department,
      city: input.city,
      country: input.country ?? '',
      firstaccess: input.firstaccess ?? 0,
      lastaccess: input.lastaccess ?? 0,
      contextid: this.contextIds.take(input.contextid),
      customfields: input.customfields ?? NONE,
    };
    this.byId.set(id, user);
    this.indexes.clear();
    return user;
  }

  find(userId: number): SimUser | undefined {
    return this.byId.get(userId);
  }

  /** For the model's own methods, where an unknown user is a mistake in the test, not a Moodle error. */
  require(userId: number): SimUser {
    const user = this.byId.get(userId);
    if (!user) throw new Error(`no user ${userId} on this site`);
    return user;
  }

  /** Users whose field equals one of the values exactly, in id order. */
  by(field: UserLookupField, values: readonly string[]): SimUser[] {
    const index = this.index(field);
    const found = new Set(values.flatMap((value) => index.get(value) ?? []));
    return [...found].sort((a, b) => a.id - b.id);
  }

  private index(field: UserLookupField): Map<string, SimUser[]> {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      for (const user of this.byId.values()) {
        const key = String(user[field]);
        const list = index.get(key);
        if (list) list.push(user);
        else index.set(key, [user]);
      }
      this.indexes.set(field, index);
    }
    return index;
  }
}
