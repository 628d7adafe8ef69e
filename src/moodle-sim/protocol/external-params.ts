import { MoodleWsError, wsErrors } from './errors';
import type { PhpValue } from './php-params';

/**
 * Moodle's `external_api::validate_parameters` over decoded request values:
 * parameter descriptions built from these combinators validate exactly like
 * `external_value` / `external_single_structure` / `external_multiple_structure`
 * and fail with the same `invalidparameter` debuginfo text, nested keys
 * prefixed by "key => Invalid parameter value detected: ".
 */

export interface Param<T> {
  /** VALUE_REQUIRED, VALUE_OPTIONAL (key left out when missing) or VALUE_DEFAULT. */
  readonly presence: 'required' | 'optional' | 'default';
  readonly fallback?: T;
  parse(input: PhpValue): T;
}

/** Moodle PARAM_* types a request can carry as text, with the characters clean_param keeps. */
const TEXT_TYPES = {
  raw: /^[\s\S]*$/,
  alpha: /^[a-zA-Z]*$/,
  alphanum: /^[a-zA-Z0-9]*$/,
  alphanumext: /^[a-zA-Z0-9_-]*$/,
} as const;

export type TextType = keyof typeof TEXT_TYPES;

const invalid = (debuginfo: string) => wsErrors.invalidParameter(debuginfo);

function scalar(input: PhpValue): string {
  if (typeof input !== 'string') throw invalid('Scalar type expected, array or object received.');
  return input;
}

const unexpectedValue = (value: string, type: string) =>
  invalid(`Invalid external api parameter: the value is "${value}", the server was expecting "${type}" type`);

export function text(type: TextType): Param<string> {
  return {
    presence: 'required',
    parse(input) {
      const value = scalar(input);
      // validate_param: the value must survive clean_param unchanged.
      if (!TEXT_TYPES[type].test(value)) throw unexpectedValue(value, type);
      return value;
    },
  };
}

export function integer(): Param<number> {
  return {
    presence: 'required',
    parse(input) {
      const value = scalar(input);
      // (string)(int)$value must equal the value: no signs, spaces, leading zeros or decimals.
      if (!/^(0|-?[1-9]\d*)$/.test(value) || !Number.isSafeInteger(Number(value))) throw unexpectedValue(value, 'int');
      return Number(value);
    },
  };
}

type Parsed<Keys> = { [K in keyof Keys]: Keys[K] extends Param<infer T> ? T : never };

export function structure<Keys extends Record<string, Param<unknown>>>(keys: Keys): Param<Parsed<Keys>> {
  return {
    presence: 'required',
    parse(input) {
      if (typeof input === 'string') throw invalid(`Only arrays accepted. The bad value is: '${input}'`);
      const result: Record<string, unknown> = {};
      const unexpected = new Set(input.keys());
      for (const [key, param] of Object.entries(keys)) {
        unexpected.delete(key);
        const value = input.get(key);
        if (value === undefined) {
          if (param.presence === 'required') throw invalid(`Missing required key in single structure: ${key}`);
          if (param.presence === 'default') result[key] = param.fallback;
          continue;
        }
        try {
          result[key] = param.parse(value);
        } catch (error) {
          if (!(error instanceof MoodleWsError) || error.errorcode !== 'invalidparameter') throw error;
          throw invalid(`${key} => ${error.message}: ${error.debuginfo ?? ''}`);
        }
      }
      if (unexpected.size > 0)
        throw invalid(`Unexpected keys (${[...unexpected].join(', ')}) detected in parameter array.`);
      return result as Parsed<Keys>;
    },
  };
}

/** PHP iterates the array's values in order, whatever their keys. */
export function list<T>(item: Param<T>): Param<T[]> {
  return {
    presence: 'required',
    parse(input) {
      if (typeof input === 'string') throw invalid(`Only arrays accepted. The bad value is: '${input}'`);
      return [...input.values()].map((value) => item.parse(value));
    },
  };
}

export function optional<T>(param: Param<T>): Param<T | undefined> {
  return { presence: 'optional', parse: (input) => param.parse(input) };
}

export function withDefault<T>(param: Param<T>, fallback: T): Param<T> {
  return { presence: 'default', fallback, parse: (input) => param.parse(input) };
}
