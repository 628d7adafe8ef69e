import { DEFAULT_MOODLE_CLIENT_SETTINGS } from '../../support/moodle-defaults';
import {
  createMoodleClient,
  MOODLE_FUNCTIONS,
  type MoodleCallObservation,
  type MoodleClient,
  type MoodleClientOptions,
} from '../../../src/moodle';
import { moodleCallRecorder } from '../../../src/metrics/moodle-calls';
import { createServiceMetrics } from '../../../src/metrics/registry';
import { Secret } from '../../../src/secret';
import { parsePrometheusText, valueOf } from '../../support/prometheus-text';
import {
  closedPortUrl,
  exampleReply,
  jsonReply,
  startFakeMoodleServer,
  type FakeMoodleServer,
} from './support/fake-moodle-server';

const TOKEN = '0b5e7ve00b5e7ve00b5e7ve00b5e7ve0';

describe("the Moodle client's call observer", () => {
  let server: FakeMoodleServer;
  let clients: MoodleClient[];
  let calls: MoodleCallObservation[];

  beforeEach(async () => {
    server = await startFakeMoodleServer();
    clients = [];
    calls = [];
  });

  afterEach(async () => {
    for (const client of clients) await client.close();
    await server.close();
  });

  function client(options: Partial<MoodleClientOptions> = {}): MoodleClient {
    const made = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: server.url,
      token: new Secret(TOKEN),
      timeoutMs: 2_000,
      onCall: (call) => calls.push(call),
      ...options,
    });
    clients.push(made);
    return made;
  }

  it('sees every call once it is answered and parsed: ok, a Moodle error, a wrong shape, no answer', async () => {
    server.respond((request) => {
      if (request.wsfunction === MOODLE_FUNCTIONS.courseContents) return exampleReply('get_contents.json');
      if (request.wsfunction === MOODLE_FUNCTIONS.gradeItems) return exampleReply('error_invalidtoken.json');
      return jsonReply({ not: 'a course list' });
    });
    const moodle = client();
    const session = moodle.scoped();

    await session.getCourseContents(101);
    await expect(session.getGradeItems(101)).rejects.toMatchObject({ kind: 'invalid-token' });
    await expect(moodle.getCourses()).rejects.toMatchObject({ kind: 'protocol' });
    await expect(client({ url: await closedPortUrl() }).getSiteInfo()).rejects.toMatchObject({ kind: 'unreachable' });

    expect(calls.map(({ wsfunction, errorKind }) => [wsfunction, errorKind])).toEqual([
      [MOODLE_FUNCTIONS.courseContents, undefined],
      [MOODLE_FUNCTIONS.gradeItems, 'invalid-token'],
      [MOODLE_FUNCTIONS.courses, 'protocol'],
      [MOODLE_FUNCTIONS.siteInfo, 'unreachable'],
    ]);
    expect(calls.every((call) => call.durationMs >= 0 && call.durationMs < 2_000)).toBe(true);
    expect(calls[0]).not.toHaveProperty('errorKind');
  });

  it('feeds the metrics with bounded labels: the function and the error kind, never the site or the token', async () => {
    server.respond((request) =>
      request.wsfunction === MOODLE_FUNCTIONS.gradeItems
        ? exampleReply('error_requireloginerror.json')
        : exampleReply('get_contents.json'),
    );
    const metrics = createServiceMetrics('worker');
    const moodle = client({ onCall: moodleCallRecorder(metrics) });

    await moodle.getCourseContents(101);
    await moodle.getCourseContents(102);
    await expect(moodle.getGradeItems(101)).rejects.toMatchObject({ kind: 'course-inaccessible' });

    const text = await metrics.registry.metrics();
    const samples = parsePrometheusText(text);
    const contents = { wsfunction: MOODLE_FUNCTIONS.courseContents, result: 'ok' };
    const grades = { wsfunction: MOODLE_FUNCTIONS.gradeItems, result: 'course-inaccessible' };
    expect(valueOf(samples, 'sms_sync_moodle_call_duration_seconds_count', contents)).toBe(2);
    expect(valueOf(samples, 'sms_sync_moodle_call_duration_seconds_count', grades)).toBe(1);
    expect(
      valueOf(samples, 'sms_sync_moodle_call_errors_total', {
        wsfunction: MOODLE_FUNCTIONS.gradeItems,
        kind: 'course-inaccessible',
      }),
    ).toBe(1);
    const labelValues = samples
      .filter((sample) => sample.name.startsWith('sms_sync_moodle_call'))
      .flatMap((sample) => Object.entries(sample.labels).filter(([name]) => name !== 'le'))
      .map(([, value]) => value);
    expect(new Set(labelValues)).toEqual(
      new Set([MOODLE_FUNCTIONS.courseContents, MOODLE_FUNCTIONS.gradeItems, 'ok', 'course-inaccessible']),
    );
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(new URL(server.url).host);
  });
});
