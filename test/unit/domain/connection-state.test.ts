import { connectionState, type ConnectionFacts, type FinishedRun } from '../../../src/domain/connection-state';

const now = new Date('2026-03-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

function run(overrides: Partial<FinishedRun> = {}): FinishedRun {
  return { kind: 'ENROLLMENT', outcome: 'SUCCEEDED', finishedAt: minutesAgo(5), error: null, ...overrides };
}

function facts(overrides: Partial<ConnectionFacts> = {}): ConnectionFacts {
  return {
    now,
    latestRuns: [run({ kind: 'COURSE' }), run()],
    lastSuccessAt: minutesAgo(5),
    openErrors: [],
    ...overrides,
  };
}

describe('connectionState', () => {
  it('is UNKNOWN before any sync finished', () => {
    expect(connectionState(facts({ latestRuns: [], lastSuccessAt: null }))).toMatchObject({
      status: 'UNKNOWN',
      cause: null,
    });
  });

  it('is HEALTHY when the latest syncs succeeded recently and nothing is failing', () => {
    expect(connectionState(facts())).toMatchObject({ status: 'HEALTHY', cause: null });
  });

  it.each([
    ['MOODLE_INVALID_TOKEN', 'INVALID_TOKEN', /rejects the sync's token/],
    ['MOODLE_ACCOUNT_BLOCKED', 'INVALID_TOKEN', /token/],
    ['MOODLE_FUNCTION_NOT_ALLOWED', 'FUNCTION_NOT_ALLOWED', /function .* not allowed for the token's service/],
    ['MOODLE_MISSING_CAPABILITY', 'MISSING_CAPABILITY', /missing a capability/],
    ['MOODLE_COURSE_INACCESSIBLE', 'MISSING_CAPABILITY', /missing a capability/],
    ['MOODLE_WEBSERVICES_DISABLED', 'WEBSERVICES_DISABLED', /web services are disabled/i],
    ['MOODLE_UNREACHABLE', 'MOODLE_UNREACHABLE', /unreachable/],
    ['MOODLE_TIMEOUT', 'MOODLE_UNREACHABLE', /unreachable/],
  ])('is FAILING with the plain-words cause when the latest run failed with %s', (code, cause, words) => {
    const state = connectionState(
      facts({
        latestRuns: [run({ kind: 'COURSE' }), run({ outcome: 'FAILED', error: { code, message: 'what Moodle said' } })],
      }),
    );
    expect(state).toMatchObject({ status: 'FAILING', cause });
    expect(state.message).toMatch(words);
    expect(state.message).toContain('what Moodle said');
  });

  it('names an access problem before another failure', () => {
    const state = connectionState(
      facts({
        latestRuns: [
          run({ kind: 'COURSE', outcome: 'FAILED', error: { code: 'ACTIVITY_FAILED', message: 'database down' } }),
          run({ outcome: 'FAILED', error: { code: 'MOODLE_INVALID_TOKEN', message: 'invalid token' } }),
        ],
      }),
    );
    expect(state.cause).toBe('INVALID_TOKEN');
  });

  it('says which sync failed when the cause is not a Moodle access problem', () => {
    const state = connectionState(
      facts({
        latestRuns: [run({ kind: 'COURSE', outcome: 'FAILED', error: { code: 'ACTIVITY_FAILED', message: 'boom' } })],
      }),
    );
    expect(state).toMatchObject({ status: 'FAILING', cause: 'SYNC_FAILED' });
    expect(state.message).toMatch(/the last course sync failed: boom/i);
  });

  it('is FAILING when no sync has succeeded for more than 30 minutes', () => {
    expect(connectionState(facts({ lastSuccessAt: minutesAgo(31) }))).toMatchObject({
      status: 'FAILING',
      cause: 'NO_RECENT_SUCCESS',
    });
    expect(connectionState(facts({ lastSuccessAt: minutesAgo(29) })).status).toBe('HEALTHY');
    expect(connectionState(facts({ lastSuccessAt: null })).status).toBe('FAILING');
    expect(connectionState(facts({ lastSuccessAt: minutesAgo(50), staleAfterMs: 60 * 60_000 })).status).toBe('HEALTHY');
  });

  it('is DEGRADED when some courses or enrollments fail, naming the most frequent cause', () => {
    const state = connectionState(
      facts({
        latestRuns: [run({ kind: 'COURSE' }), run({ outcome: 'PARTIAL' })],
        openErrors: [
          { code: 'STUDENT_NOT_IN_GRADEBOOK', courses: 0, enrollments: 1, message: 'user 5 has no row' },
          { code: 'MOODLE_COURSE_INACCESSIBLE', courses: 2, enrollments: 0, message: 'cannot enter course 4' },
        ],
      }),
    );
    expect(state).toMatchObject({ status: 'DEGRADED', cause: 'SYNC_ERRORS' });
    expect(state.message).toBe(
      '2 courses and 1 enrollment failing to sync. Most often (MOODLE_COURSE_INACCESSIBLE): ' +
        "the token's account is missing a capability the sync needs — cannot enter course 4",
    );
  });

  it('is DEGRADED after a partial run even without open course errors (held deletions)', () => {
    expect(connectionState(facts({ latestRuns: [run({ kind: 'COURSE', outcome: 'PARTIAL' })] }))).toMatchObject({
      status: 'DEGRADED',
    });
  });
});
