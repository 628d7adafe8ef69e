import type { ConnectionStatus } from '../domain/connection-state';
import { STALE_AFTER_INTERVALS } from '../domain/grade-staleness';
import { gradesSyncOf, type CourseDocument, type SyncRunDocument } from '../store';
import { readGradesFreshness, readStaleCourses, readSyncStatus } from '../use-cases/sync-status';
import { EXIT } from './exit-codes';
import { printJson, withOps } from './ops';

const EXIT_OF_STATUS: Record<ConnectionStatus, number> = {
  HEALTHY: EXIT.ok,
  FAILING: EXIT.syncFailed,
  DEGRADED: EXIT.partial,
  UNKNOWN: EXIT.partial,
};

function runSummary(run: SyncRunDocument | null) {
  return (
    run && {
      workflowId: run.workflowId,
      trigger: run.trigger,
      outcome: run.outcome,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      error: run.error,
    }
  );
}

function runLine(label: string, run: SyncRunDocument | null): string {
  if (run === null) return `${label}: none yet`;
  const when = (run.finishedAt ?? run.startedAt).toISOString();
  const failure = run.error ? ` — ${run.error.code}` : '';
  return `${label}: ${run.outcome} at ${when} (${run.trigger.toLowerCase()}, workflow ${run.workflowId})${failure}`;
}

/** Stale courses the command names; GraphQL `staleCourses` lists them all. */
const STALE_COURSES_SHOWN = 5;

/** An age in the two largest units that it has: `3d 4h`, `2h`, `7m 12s`, `40s`. */
export function formatAge(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3_600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([value], index) => index === 0 || value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}

function staleSummary(course: CourseDocument) {
  return { courseId: course._id, shortName: course.moodle.shortName, ...gradesSyncOf(course) };
}

/** `  course 12 C12: last synced … (2h 1m ago); last try failed at … [moodle_event]` */
function staleLine(course: CourseDocument, now: Date): string {
  const { lastSyncedAt, lastAttemptAt, lastSyncTrigger } = gradesSyncOf(course);
  const asOf = lastSyncedAt ?? course.followedAt ?? course.createdAt;
  const age = `${formatAge((now.getTime() - asOf.getTime()) / 1000)} ago`;
  const since = course.followedAt === undefined ? 'course created' : 'followed since';
  const grades =
    lastSyncedAt === null
      ? `never synced (${since} ${asOf.toISOString()}, ${age})`
      : `last synced ${asOf.toISOString()} (${age})`;
  const failed = lastAttemptAt !== null && lastAttemptAt.getTime() !== lastSyncedAt?.getTime();
  const attempt = failed ? `; last try failed at ${lastAttemptAt.toISOString()}` : '';
  const trigger = lastSyncTrigger === null ? '' : ` [${lastSyncTrigger.toLowerCase()}]`;
  return `  course ${course._id} ${course.moodle.shortName}: ${grades}${attempt}${trigger}`;
}

/**
 * The connection state the SMS front end shows, from the sync's own records
 * (MongoDB only: works while Temporal or Moodle is down), and how old the
 * grades of the courses the SMS follows are.
 */
export async function runStatusCommand(options: { json?: boolean }): Promise<void> {
  await withOps(['MONGODB_URI'], async (ops) => {
    const stores = await ops.stores();
    const now = new Date();
    const followed = stores.courses.followedLive();
    const [{ state, lastCourseSync, lastEnrollmentSync, openErrors }, freshness, stale] = await Promise.all([
      readSyncStatus(stores, now, ops.config.sync),
      readGradesFreshness(stores, now, ops.config.sync, followed),
      readStaleCourses(stores, now, ops.config.sync, { first: STALE_COURSES_SHOWN }, { followed }),
    ]);
    const staleCourses = stale.edges.map((edge) => edge.course);
    if (options.json) {
      printJson({
        connection: state.status,
        message: state.message,
        cause: state.cause,
        lastSuccessAt: state.lastSuccessAt,
        lastCourseSync: runSummary(lastCourseSync),
        lastEnrollmentSync: runSummary(lastEnrollmentSync),
        openErrors,
        staleCourseCount: freshness.staleCourseCount,
        oldestCourseSyncAt: freshness.oldestCourseSyncAt,
        oldestCourseDataAgeSeconds: freshness.oldestCourseDataAgeSeconds,
        staleCourses: staleCourses.map(staleSummary),
      });
    } else {
      const { devStack } = ops.config.local;
      if (devStack) console.log(`(the dev stack of this folder, pid ${devStack.pid}: ${devStack.graphqlUrl})`);
      console.log(`Connection: ${state.status}${state.cause ? ` (${state.cause})` : ''}`);
      console.log(state.message);
      console.log(`Last success: ${state.lastSuccessAt?.toISOString() ?? 'never'}`);
      console.log(runLine('Last course sync', lastCourseSync));
      console.log(runLine('Last enrollment sync', lastEnrollmentSync));
      for (const group of openErrors) {
        console.log(
          `Open sync errors ${group.code}: ${group.courses} course(s), ${group.enrollments} enrollment(s) ` +
            `— ${group.message}`,
        );
      }
      const window = formatAge((STALE_AFTER_INTERVALS * ops.config.sync.enrollmentIntervalMs) / 1000);
      console.log(`Stale courses: ${freshness.staleCourseCount} (grades not synced within ${window})`);
      console.log(
        freshness.oldestCourseDataAgeSeconds === null
          ? 'Oldest course data: none (the SMS follows no course)'
          : `Oldest course data: ${formatAge(freshness.oldestCourseDataAgeSeconds)} old ` +
              `(since ${freshness.oldestCourseSyncAt!.toISOString()})`,
      );
      for (const course of staleCourses) console.log(staleLine(course, now));
      const more = freshness.staleCourseCount - staleCourses.length;
      if (more > 0) console.log(`  … and ${more} more (GraphQL staleCourses lists them all)`);
    }
    process.exitCode = EXIT_OF_STATUS[state.status];
  });
}
