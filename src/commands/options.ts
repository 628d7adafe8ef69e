import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from '../config';

/** A commander argument parser for numbers within bounds, with a message that names them. */
export function numberIn(min: number, max: number, { whole = true } = {}): (value: string) => number {
  const pattern = whole ? /^\d+$/ : /^\d+(\.\d+)?$/;
  return (value) => {
    const number = Number(value);
    if (!pattern.test(value.trim()) || !Number.isFinite(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`);
    }
    return number;
  };
}

export function wholeNumber(min: number, max: number): (value: string) => number {
  return numberIn(min, max);
}

/** Moodle course ids (`--course 101 102`, or the option repeated), accumulated as commander parses them. */
export function courseIds(value: string, previous: number[] = []): number[] {
  return [...previous, wholeNumber(1, Number.MAX_SAFE_INTEGER)(value)];
}

/** A look-back such as `30m`, `2h` or `7d`, in milliseconds. */
export function lookBack(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration such as 30m, 2h or 7d');
  return ms;
}
