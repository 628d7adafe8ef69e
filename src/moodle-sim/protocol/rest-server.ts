import { isSimulatedFunction } from '../function-names';
import { WS_FUNCTIONS } from '../functions';
import type { SiteModel } from '../site';
import { MoodleWsError, wsErrors } from './errors';
import { phpJsonEncode } from './php-json';
import type { PhpArray, PhpValue } from './php-params';
import { xmlError, xmlResponse } from './xml';

/**
 * webservice/rest/server.php: reads the REST settings out of the request
 * variables, then runs Moodle's checks in Moodle's order (docs/moodle.md §1.6) and
 * renders the answer. Every Moodle-level error is HTTP 200.
 */

export interface RestCall {
  site: SiteModel;
  /** The one token the site knows. */
  token: string;
  /** Admin maintenance mode (a fault knob, not site data). */
  maintenance: boolean;
  siteUrl: string;
  /** Query string and form body, merged (body wins). */
  variables: PhpArray;
}

export interface RestReply {
  /** Empty when web services are off: server.php just stops. */
  contentType: string;
  body: string;
  /** Records in a successful answer, for the per-row latency fault. */
  rows: number;
}

const JSON_TYPE = 'application/json';
const XML_TYPE = 'application/xml; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

export function wsFunctionName(variables: PhpArray): string {
  const name = variables.get('wsfunction');
  return typeof name === 'string' ? name : '';
}

export function runRestCall(call: RestCall): RestReply {
  const { site } = call;
  if (!site.webServicesEnabled) return { contentType: HTML_TYPE, body: '', rows: 0 };
  const parameters = new Map(call.variables);
  const format = parameters.get('moodlewsrestformat') === 'json' ? 'json' : 'xml';
  const token = parameters.get('wstoken');
  const functionName = wsFunctionName(parameters);
  for (const key of ['moodlewsrestformat', 'wstoken', 'wsfunction']) parameters.delete(key);
  for (const key of parameters.keys()) if (key.startsWith('moodlewssetting')) parameters.delete(key);

  try {
    checkAccess(call, token);
    // The function is looked up before the service check, so a typo never reads as accessexception.
    if (!isSimulatedFunction(functionName)) throw wsErrors.missingRecord('external_functions');
    if (!site.isFunctionInService(functionName)) throw wsErrors.accessException(functionName);
    const wsFunction = WS_FUNCTIONS[functionName];
    const result = wsFunction.call(parameters, { site, siteUrl: call.siteUrl });
    if (format === 'xml') return { contentType: XML_TYPE, body: xmlResponse(result.body), rows: result.rows };
    const body = phpJsonEncode(result.body, {
      serializePrecision: site.serializePrecision,
      floatKeys: wsFunction.floatKeys,
    });
    return { contentType: JSON_TYPE, body, rows: result.rows };
  } catch (error) {
    if (!(error instanceof MoodleWsError)) throw error;
    return format === 'json'
      ? { contentType: JSON_TYPE, body: jsonError(error, site), rows: 0 }
      : { contentType: XML_TYPE, body: xmlError(error, site.debugging), rows: 0 };
  }
}

function checkAccess(call: RestCall, token: PhpValue | undefined): void {
  if (token !== call.token || !call.site.tokenIsValid) throw wsErrors.invalidToken();
  if (call.maintenance) throw wsErrors.siteMaintenance();
}

function jsonError(error: MoodleWsError, site: SiteModel): string {
  const body = {
    exception: error.exception,
    errorcode: error.errorcode,
    message: error.message,
    debuginfo: site.debugging ? error.debuginfo : undefined,
  };
  return phpJsonEncode(body, { serializePrecision: site.serializePrecision });
}
