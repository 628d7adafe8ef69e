import type { Config } from '../config';
import {
  connectionState,
  staleAfterForIntervals,
  type ConnectionState,
  type FinishedRun,
  type OpenErrorGroup,
} from '../domain/connection-state';
import type { CourseState } from '../domain/course';
import {
  gradesFreshness,
  type FollowedCourse,
  parseStaleCourseKey,
  staleCourseKey,
  staleCoursesPage,
  staleCutoff,
} from '../domain/grade-staleness';
import type { SyncKind } from '../domain/sync-run';
import { InvalidCursorError, type CourseDocument, type Stores, type SyncRunDocument } from '../store';

const KINDS: readonly SyncKind[] = ['COURSE', 'ENROLLMENT'];

/** The schedules' intervals, which decide how long without a success reads as FAILING. */
export type SyncIntervals = Pick<Config['sync'], 'courseIntervalMs' | 'enrollmentIntervalMs'>;

/** What the SMS front end's connection panel and `sms-sync status` show. */
export interface SyncStatus {
  state: ConnectionState;
  lastCourseSync: SyncRunDocument | null;
  lastEnrollmentSync: SyncRunDocument | null;
  /** When the latest SUCCEEDED or PARTIAL run of each kind finished; null before the first. */
  lastSuccessAt: Record<SyncKind, Date | null>;
  /** Open sync errors grouped by code. */
  openErrors: OpenErrorGroup[];
}

function finishedRun(run: SyncRunDocument | null): FinishedRun[] {
  if (run === null || run.finishedAt === null || run.outcome === 'RUNNING') return [];
  return [{ kind: run.kind, outcome: run.outcome, finishedAt: run.finishedAt, error: run.error }];
}

/**
 * Reads the latest runs of each kind and the open errors, and computes the
 * connection state from them (MongoDB only: it works while Temporal or Moodle is down).
 * FAILING comes after the longer of 30 minutes and the shortest sync interval without a success.
 */
export async function readSyncStatus(stores: Stores, now: Date, intervals: SyncIntervals): Promise<SyncStatus> {
  const [latest, latestFinished, successes, openErrors] = await Promise.all([
    Promise.all(KINDS.map((kind) => stores.syncRuns.latest(kind))),
    Promise.all(KINDS.map((kind) => stores.syncRuns.latestFinished(kind))),
    Promise.all(KINDS.map((kind) => stores.syncRuns.latestFinished(kind, ['SUCCEEDED', 'PARTIAL']))),
    stores.syncErrors.openByCode(),
  ]);
  const successTimes = successes.flatMap(finishedRun).map((run) => run.finishedAt.getTime());
  const state = connectionState({
    now,
    latestRuns: latestFinished.flatMap(finishedRun),
    lastSuccessAt: successTimes.length === 0 ? null : new Date(Math.max(...successTimes)),
    openErrors,
    staleAfterMs: staleAfterForIntervals([intervals.courseIntervalMs, intervals.enrollmentIntervalMs]),
  });
  const [lastCourseSync = null, lastEnrollmentSync = null] = latest;
  const [lastCourseSuccess = null, lastEnrollmentSuccess = null] = successes;
  return {
    state,
    lastCourseSync,
    lastEnrollmentSync,
    lastSuccessAt: {
      COURSE: lastCourseSuccess?.finishedAt ?? null,
      ENROLLMENT: lastEnrollmentSuccess?.finishedAt ?? null,
    },
    openErrors,
  };
}

/** How old the grades the SMS shows are, over the courses it follows (GraphQL `syncStatus`, `sms-sync status`). */
export interface GradesFreshnessReport {
  /** Followed courses, not deleted, whose grades were not synced within two enrollment-sync intervals. */
  staleCourseCount: number;
  /**
   * When the oldest grades of any followed, live course date from (`gradesAsOf`): their last successful
   * sync, or if they never synced since the SMS followed the course (or its creation); null when the SMS
   * follows no course.
   */
  oldestCourseSyncAt: Date | null;
  /** Whole seconds from `oldestCourseSyncAt` to now; null with it. */
  oldestCourseDataAgeSeconds: number | null;
}

/** The followed courses, as `stores.courses.followedLive()` reads them; a caller that has them gives them. */
type Followed = Promise<readonly FollowedCourse[]>;

/**
 * One read of the live courses (src/store/courses.ts `followedLive`), computed here: kept out of
 * `readSyncStatus`, which every `/metrics` scrape runs, so only those who ask for it pay for it.
 */
export async function readGradesFreshness(
  stores: Stores,
  now: Date,
  intervals: Pick<SyncIntervals, 'enrollmentIntervalMs'>,
  followed: Followed = stores.courses.followedLive(),
): Promise<GradesFreshnessReport> {
  const courses = await followed;
  const freshness = gradesFreshness(courses, now, staleCutoff(now, intervals.enrollmentIntervalMs));
  return {
    staleCourseCount: freshness.staleCount,
    oldestCourseSyncAt: freshness.oldestAsOf,
    oldestCourseDataAgeSeconds: freshness.oldestAgeSeconds,
  };
}

export interface StaleCourses {
  /** Oldest grades first, each with its key in the list (what a cursor carries). */
  edges: { key: string; course: CourseDocument }[];
  hasNextPage: boolean;
  totalCount: number;
}

/**
 * A page of the stale courses (as `readGradesFreshness` counts them), oldest grades first, among those
 * in `options.states` (every state when absent). `after` is the key of the last course of the previous page;
 * text that is not one is an InvalidCursorError. Two reads: the live courses, then the page's courses.
 */
export async function readStaleCourses(
  stores: Stores,
  now: Date,
  intervals: Pick<SyncIntervals, 'enrollmentIntervalMs'>,
  page: { first: number; after?: string },
  options: { states?: readonly CourseState[]; followed?: Followed } = {},
): Promise<StaleCourses> {
  const after = page.after === undefined ? undefined : parseStaleCourseKey(page.after);
  if (after === null) throw new InvalidCursorError(page.after as string);
  const { states } = options;
  const followed = await (options.followed ?? stores.courses.followedLive());
  const visible = states === undefined ? followed : followed.filter((course) => states.includes(course.state));
  const found = staleCoursesPage(visible, staleCutoff(now, intervals.enrollmentIntervalMs), {
    first: page.first,
    after,
  });
  const documents = new Map(
    (await stores.courses.getMany(found.items.map((course) => course.courseId))).map((course) => [course._id, course]),
  );
  return {
    // The key is the one the list was ordered by, even if the course synced between the two reads.
    edges: found.items.flatMap((course) => {
      const document = documents.get(course.courseId);
      return document === undefined ? [] : [{ key: staleCourseKey(course), course: document }];
    }),
    hasNextPage: found.hasNextPage,
    totalCount: found.totalCount,
  };
}
