import { IdSequence } from '../id-sequence';

/**
 * Ids of rows Moodle numbers and the model does not keep (grade_grades, user_enrolments), which events
 * name as their `objectid`: a row keeps its id while it lives, and one made again after `forget` (a
 * student unenrolled, then enrolled again) gets a new one, as a new database row would.
 */
export class RowIds {
  readonly #ids = new Map<string, number>();
  readonly #sequence = new IdSequence(1);

  idOf(...key: number[]): number {
    const name = key.join(':');
    let id = this.#ids.get(name);
    if (id === undefined) this.#ids.set(name, (id = this.#sequence.take()));
    return id;
  }

  forget(...key: number[]): void {
    this.#ids.delete(key.join(':'));
  }
}
