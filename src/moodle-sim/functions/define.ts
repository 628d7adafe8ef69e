import type { Param } from '../protocol/external-params';
import type { PhpArray } from '../protocol/php-params';
import type { SiteModel } from '../site';

export interface CallContext {
  site: SiteModel;
  /** The simulator's base URL, standing in for Moodle's wwwroot in every URL it sends. */
  siteUrl: string;
}

export interface WsFunctionResult {
  /** Plain JSON-able data in Moodle's key order. */
  body: unknown;
  /** Records returned, for the per-row latency fault. */
  rows: number;
}

/** A web-service function, its parameter description applied before it runs. */
export interface WsFunction {
  /** Keys the function returns as PHP floats (see phpJsonEncode). */
  readonly floatKeys?: ReadonlySet<string>;
  call(variables: PhpArray, context: CallContext): WsFunctionResult;
}

export function defineWsFunction<P>(definition: {
  params: Param<P>;
  floatKeys?: ReadonlySet<string>;
  execute(params: P, context: CallContext): WsFunctionResult;
}): WsFunction {
  return {
    floatKeys: definition.floatKeys,
    call: (variables, context) => definition.execute(definition.params.parse(variables), context),
  };
}
