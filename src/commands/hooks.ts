import { request } from 'undici';
import { MOODLE_HOOK_PATH } from '../api/hooks/moodle-hooks';
import { GRAPHQL_PATH } from '../api/app';
import { loadConfig, type Config } from '../config';
import { HOOKS_TEST_EVENT } from '../domain/moodle-events';
import { DEFAULT_API_PORT } from '../services/api';
import { CommandError, EXIT } from './exit-codes';

/** A forwarder that takes longer than this to be answered has a problem of its own to report. */
const TEST_TIMEOUT_MS = 10_000;

/**
 * Where Moodle should post: `--url`, else the running `sms-sync dev`'s API, else API_HOST:API_PORT.
 * Behind a proxy, give the URL Moodle uses, so the test crosses the same hops.
 */
export function hookUrl(config: Config, url?: string): string {
  if (url !== undefined) return url;
  const devApi = config.local.devStack?.graphqlUrl;
  if (devApi !== undefined) return devApi.replace(new RegExp(`${GRAPHQL_PATH}$`), MOODLE_HOOK_PATH);
  return `http://${config.api.host}:${config.api.port ?? DEFAULT_API_PORT}${MOODLE_HOOK_PATH}`;
}

/**
 * `sms-sync hooks test`: posts the test event local_webhooks would, signed with MOODLE_WEBHOOK_SECRET, and
 * says whether the API took it; the answers Moodle would get otherwise are explained. It starts no sync.
 */
export async function runHooksTestCommand(options: { url?: string }): Promise<void> {
  const config = loadConfig(process.env, { useDevStack: true });
  const secret = config.hooks.secret;
  if (secret === undefined) {
    throw new CommandError('MOODLE_WEBHOOK_SECRET is not set: set it to the secret Moodle sends.', EXIT.config);
  }
  const url = hookUrl(config, options.url);
  if (!URL.canParse(url)) throw new CommandError(`Not a URL: ${url}`, EXIT.usage);
  const event = {
    eventname: HOOKS_TEST_EVENT,
    component: 'local_sms_sync',
    action: 'tested',
    target: 'hooks',
    courseid: 0,
    timecreated: Math.floor(Date.now() / 1000),
    host: 'sms-sync hooks test',
    token: secret.reveal(),
    extra: '',
  };
  const startedAt = performance.now();
  let status: number;
  try {
    const answer = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
      headersTimeout: TEST_TIMEOUT_MS,
      bodyTimeout: TEST_TIMEOUT_MS,
    });
    status = answer.statusCode;
    await answer.body.dump();
  } catch (error) {
    throw new CommandError(`Nothing answered at ${url}: ${(error as Error).message}`);
  }
  const ms = Math.round(performance.now() - startedAt);
  if (status === 202) {
    console.log(`OK: ${url} took a signed test event in ${ms} ms. Moodle's events will reach the SMS.`);
    return;
  }
  throw new CommandError(`${url} answered ${status}: ${explain(status)}`);
}

function explain(status: number): string {
  switch (status) {
    case 401:
      return "the secret was refused: MOODLE_WEBHOOK_SECRET here differs from the API's.";
    case 404:
      return 'no event route there: the API runs without MOODLE_WEBHOOK_SECRET, or the URL is not the API.';
    case 429:
      return 'rate-limited: more events than MOODLE_WEBHOOK_RATE_LIMIT a minute reach it.';
    case 503:
      return 'the API cannot reach Temporal or the database.';
    default:
      return 'not an answer of the sms-sync API; check the URL, and any proxy in between.';
  }
}
