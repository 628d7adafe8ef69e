import autocannon from 'autocannon';
import type { MongoClient } from 'mongodb';

/**
 * The front end's main reads (issues 6 and 10): the Courses tab, a course's
 * enrollments page, a student's enrollments, one enrollment with its report
 * card, and the sync health banner.
 */
// What the enrollment lists and the enrollment page show of each enrollment, as the front end would share it.
const ENROLLMENT_STANDING = /* GraphQL */ `
  fragment EnrollmentStanding on Enrollment {
    progress {
      percent
      graded
      total
    }
    grade {
      formatted
      percentage
      letter
    }
    lastSyncedAt
    syncError {
      code
      message
    }
  }
`;

export const FRONT_END_QUERIES = {
  courseEnrollments: /* GraphQL */ `
    query CourseEnrollments($courseId: ID!) {
      enrollments(courseId: $courseId, first: 50) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            id
            student {
              id
              fullName
            }
            ...EnrollmentStanding
          }
        }
      }
    }
    ${ENROLLMENT_STANDING}
  `,
  studentEnrollments: /* GraphQL */ `
    query StudentEnrollments($studentId: ID!) {
      student(id: $studentId) {
        id
        fullName
        email
        enrollments(first: 50) {
          totalCount
          edges {
            node {
              id
              course {
                id
                shortName
                fullName
                state
              }
              progress {
                percent
                graded
                total
              }
              grade {
                formatted
                percentage
                letter
              }
              reportCard {
                name
                grade
                percentage
                range
                feedback
              }
            }
          }
        }
      }
    }
  `,
  enrollment: /* GraphQL */ `
    query Enrollment($id: ID!) {
      enrollment(id: $id) {
        id
        course {
          id
          shortName
          fullName
        }
        student {
          id
          fullName
        }
        ...EnrollmentStanding
        reportCard {
          name
          itemType
          grade
          percentage
          range
          weight
          feedback
          hidden
        }
      }
    }
    ${ENROLLMENT_STANDING}
  `,
  coursesTab: /* GraphQL */ `
    query CoursesTab {
      courses(first: 50) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            id
            moodleId
            shortName
            fullName
            state
            deleted
            visibleInMoodle
            startDate
            endDate
            lastSyncedAt
          }
        }
      }
    }
  `,
  syncStatus: /* GraphQL */ `
    query SyncStatus {
      syncStatus {
        connection
        message
        cause
        lastSuccessAt
        lastCourseSync {
          id
          outcome
          startedAt
          finishedAt
          counts {
            name
            value
          }
        }
        lastEnrollmentSync {
          id
          outcome
          startedAt
          finishedAt
          counts {
            name
            value
          }
        }
      }
    }
  `,
} as const;

export type FrontEndQuery = keyof typeof FRONT_END_QUERIES;

/** Commands the driver sends on its own (handshakes, health checks, session ends), not queries of a request. */
const HOUSEKEEPING = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'saslStart',
  'saslContinue',
  'buildInfo',
]);

/** Counts the database commands a client sends, through the driver's command monitoring. */
export function countQueries(client: MongoClient): { read(): number; byName(): Record<string, number>; stop(): void } {
  const byName: Record<string, number> = {};
  let count = 0;
  const listener = (event: { commandName: string }) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    count += 1;
    byName[event.commandName] = (byName[event.commandName] ?? 0) + 1;
  };
  client.on('commandStarted', listener);
  return { read: () => count, byName: () => ({ ...byName }), stop: () => client.off('commandStarted', listener) };
}

export interface GraphQLTarget {
  url: string;
  apiKey: string;
}

function headers(apiKey: string) {
  return { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
}

/** One request, failing on any GraphQL error: a benchmark of error answers would measure nothing. */
export async function postQuery(target: GraphQLTarget, body: string): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: headers(target.apiKey), body });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"'))
    throw new Error(`the API answered ${response.status}: ${text.slice(0, 500)}`);
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Non-2xx answers, GraphQL errors, socket errors and timeouts. */
  failures: number;
}

/** NaN when nothing was answered. */
function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? NaN;
}

/**
 * Autocannon against the API, cycling through `bodies` (one per request, so
 * requests hit different courses and students). Latencies come from every
 * response, as autocannon's own summary has no p95.
 */
export async function runLoad(
  target: GraphQLTarget,
  bodies: readonly string[],
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  let next = 0;
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        connections: options.connections,
        duration: options.seconds,
        headers: headers(target.apiKey),
        requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] ?? '' }) }],
        verifyBody: (body) => body !== undefined && !body.includes('"errors"'),
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / options.seconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    failures: result.non2xx + result.mismatches + result.errors + result.timeouts,
  };
}
