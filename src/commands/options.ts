import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from '../config';

/** A commander argument parser for whole numbers within bounds, with a message that names them. */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return number;
  };
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
