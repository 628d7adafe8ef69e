import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Wraps a credential so that logging, string interpolation, JSON and
 * `util.inspect` all print `[redacted]`; only `reveal()` gives the value, and
 * only the code that puts it on the wire should call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Replaces every occurrence of the secret in `text` (for messages built from foreign input). */
  scrub(text: string): string {
    return this.#value.length === 0 ? text : text.split(this.#value).join(REDACTED);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
