import DataLoader from 'dataloader';
import type { SyncIntervals } from '../use-cases/sync-status';
import type { FollowedCourse } from '../domain/grade-staleness';
import type { ReportCardLine } from '../domain/report-card';
import type { Logger } from '../logger';
import type { GraphqlOperationObservation } from '../metrics/graphql-operations';
import type { MoodleClient } from '../moodle';
import type { CourseDocument, Stores, StudentDocument } from '../store';
import type { SyncLauncher } from '../temporal/launcher';
import type { ApiKeyEntry, Viewer } from './auth';
import type { MoodleHookDeps } from './hooks/moodle-hooks';
import type { MutationRateLimit } from './rate-limit';

/** Everything the API needs, injected once when the app is built. */
export interface ApiDeps {
  stores: Stores;
  /** Looks up Moodle users when an admin creates a student. */
  moodle: Pick<MoodleClient, 'getUsersByField'>;
  syncs: SyncLauncher;
  now: () => Date;
  /** The schedules' intervals, which say when no success for a while means FAILING. */
  syncIntervals: SyncIntervals;
  apiKeys: readonly ApiKeyEntry[];
  graphiql: boolean;
  logger: Logger;
  /** Mutations per API key; `MUTATION_RATE_LIMIT` by default. */
  mutationRateLimit?: MutationRateLimit;
  /** Moodle's events (POST /hooks/moodle); the route answers 404 without a secret. */
  moodleHooks?: Pick<MoodleHookDeps, 'secret' | 'rateLimit' | 'observe'>;
  /** Told of every answered GraphQL request (metrics); none by default. */
  observeOperation?: (observation: GraphqlOperationObservation) => void;
}

/** Batches the lookups a page of results makes, so a page costs a constant number of queries. */
export interface Loaders {
  course: DataLoader<number, CourseDocument | null>;
  student: DataLoader<string, StudentDocument | null>;
  /** By enrollment id: the lines of its report card; null before its first sync. */
  reportCard: DataLoader<string, ReportCardLine[] | null>;
  /** When the latest course sync that did its job finished: `Course.lastSeenInMoodleAt` of every live course. */
  lastCourseSyncAt: () => Promise<Date | null>;
  /** The followed, live courses, read once per request: `syncStatus`' freshness fields and `staleCourses` share it. */
  followedCourses: () => Promise<readonly FollowedCourse[]>;
}

export interface ApiContext {
  viewer: Viewer;
  deps: ApiDeps;
  loaders: Loaders;
}

function byKey<K, V>(keys: readonly K[], values: V[], keyOf: (value: V) => K): (V | null)[] {
  const found = new Map(values.map((value) => [keyOf(value), value]));
  return keys.map((key) => found.get(key) ?? null);
}

export function createLoaders(stores: Stores): Loaders {
  let lastCourseSync: Promise<Date | null> | undefined;
  let followedCourses: Promise<readonly FollowedCourse[]> | undefined;
  return {
    course: new DataLoader(async (ids) => byKey(ids, await stores.courses.getMany(ids), (course) => course._id)),
    student: new DataLoader(async (ids) =>
      byKey(ids, await stores.students.getMany(ids), (student) => student._id.toHexString()),
    ),
    reportCard: new DataLoader(async (ids) =>
      byKey(ids, await stores.reportCards.ofEnrollments(ids), (card) => card._id.toHexString()).map(
        (card) => card?.lines ?? null,
      ),
    ),
    lastCourseSyncAt: () => {
      lastCourseSync ??= stores.syncRuns
        .latestFinished('COURSE', ['SUCCEEDED', 'PARTIAL'])
        .then((run) => run?.finishedAt ?? null);
      return lastCourseSync;
    },
    followedCourses: () => (followedCourses ??= stores.courses.followedLive()),
  };
}
