import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { waitForSync, type FinishedSync } from '../use-cases/sync-outcome';
import { generateApiKey, hashApiKey } from '../api/auth';
import { GRAPHQL_PATH } from '../api/app';
import { MOODLE_HOOK_PATH } from '../api/hooks/moodle-hooks';
import { ConfigError, type Config, type ConfigWith } from '../config';
import type { Logger } from '../logger';
import { demoSite, startMoodleSimulator, type MoodleSimulator, type SiteModel } from '../moodle-sim';
import { Secret } from '../secret';
import { startApiService, type ApiService } from '../services/api';
import { openConnections, type Connections, type ServiceConfig } from '../services/connections';
import { startWorkerService, type RunningWorker } from '../services/worker';
import type { Stores } from '../store';
import { DuplicateRecordError } from '../store/errors';
import { temporalSyncLauncher } from '../temporal/launcher';
import { startPrometheus } from './prometheus';
import { startLocalServices, type LocalServices } from './services';
import { REPO_ROOT } from './tools';

/**
 * The complete local stack of `sms-sync dev`, on loopback: Temporal (dev
 * server with UI) and MongoDB (FerretDB) unless configured, the Moodle
 * simulator with the demo site unless MOODLE_URL names a real Moodle, the
 * worker with its schedules, the API with fresh demo keys, and a first course
 * and enrollment sync.
 */

export interface DevStackOptions {
  log: Logger;
  /** A prebuilt workflow bundle (tests); bundled at start otherwise. */
  workflowBundlePath?: string;
  /** Start-up steps, for people watching. */
  progress?: (step: string) => void;
  /**
   * Keep the database and Temporal's history (schedules, past runs) in this
   * folder, so a restart carries on where the last run stopped; nothing is
   * kept when absent.
   */
  dataDir?: string;
  /** The Temporal SDK's own metrics endpoint, which the worker's /metrics appends (`installTemporalRuntime`). */
  temporalMetricsUrl?: string;
  /** Also start a Prometheus that scrapes the worker and the API and evaluates the alert rules. */
  prometheus?: boolean;
}

/** The alert rules a local Prometheus evaluates: the ones ops deploy. */
export const ALERT_RULES_FILE = path.join(REPO_ROOT, 'ops', 'prometheus', 'alerts.yml');

/** The folders a dev stack keeps its data in (SQLite adds files beside Temporal's database, hence a folder). */
const keptFolders = (dataDir: string) => ({
  temporal: path.join(dataDir, 'temporal'),
  store: path.join(dataDir, 'postgres'),
});

/** `sms-sync dev --fresh`: the next start begins with an empty database and no Temporal history. */
export function forgetDevData(dataDir: string): void {
  for (const folder of Object.values(keptFolders(dataDir))) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch (error) {
      // A run as root leaves the database to the postgres user.
      throw new ConfigError([
        `LOCAL_STATE_DIR: ${folder} cannot be removed by this user (${(error as Error).message}); ` +
          'remove it as root, or use another folder',
      ]);
    }
  }
}

function keptData(dataDir: string | undefined): { temporalDbFile?: string; storeDataDir?: string } {
  if (dataDir === undefined) return {};
  const folders = keptFolders(dataDir);
  mkdirSync(folders.temporal, { recursive: true });
  return { temporalDbFile: path.join(folders.temporal, 'history.db'), storeDataDir: folders.store };
}

export interface DemoSeed {
  coursesOpened: number;
  /** The demo course waiting for an admin's triage; absent once one has opened or closed it. */
  leftNew?: { moodleId: number; fullName: string };
  students: number;
  enrollments: number;
}

export interface DevStack {
  readonly temporalAddress: string;
  readonly temporalUiUrl?: string;
  readonly mongoUri: string;
  readonly moodleUrl: string;
  readonly graphqlUrl: string;
  /** Where Moodle's events go (`POST /hooks/moodle`); the simulator posts there. */
  readonly hooksUrl: string;
  readonly metricsUrls: { worker?: string; api?: string };
  /** The local Prometheus, with `prometheus`. */
  readonly prometheusUrl?: string;
  /** The simulated site, when no real Moodle is configured (tests and demos change it). */
  readonly simulator?: MoodleSimulator;
  /** The configuration the stack runs with (the simulator's URL and token filled in). */
  readonly config: Config;
  readonly connections: Connections;
  readonly apiKeys: { admin: string; reader: string };
  /** What the simulator's demo data added to the SMS; absent with a real Moodle. */
  readonly seed?: DemoSeed;
  /** The course sync and the enrollment sync run at start. */
  readonly firstSyncs: FinishedSync[];
  /** Servers this stack started as child processes. */
  readonly servicePids: number[];
  stop(): Promise<void>;
}

/**
 * What the SMS of a demo would hold: every course the first course sync found
 * marked OPEN (as an admin would), but the site's newest (highest id), left NEW
 * for the newcomer to triage, and the simulated site's students enrolled in the
 * open ones. Idempotent, so a stack on a kept database can start again; an
 * admin's decision stays, and a course added to an earlier run's simulator
 * (gone from this one) is left alone.
 */
export async function seedDemoEnrollments(stores: Stores, site: SiteModel, now: Date): Promise<DemoSeed> {
  const seed: DemoSeed = { coursesOpened: 0, students: 0, enrollments: 0 };
  const newest = Math.max(...site.courses().map((course) => course.id));
  for (const course of await stores.courses.all()) {
    if (course.lmsDeletedAt !== null || course.state === 'CLOSED' || !site.hasCourse(course.moodleId)) continue;
    if (course.state === 'NEW' && course.moodleId === newest) {
      seed.leftNew = { moodleId: course.moodleId, fullName: course.moodle.fullName };
      continue;
    }
    if (course.state === 'NEW') {
      await stores.courses.setState(course.moodleId, 'OPEN', now);
      seed.coursesOpened += 1;
    }
    for (const user of site.students(course.moodleId)) {
      let student = await stores.students.getByMoodleUserId(user.id);
      if (student === null) {
        student = await stores.students.create(
          {
            moodleUserId: user.id,
            fullName: `${user.firstname} ${user.lastname}`,
            email: user.email,
            idNumber: user.idnumber,
          },
          now,
        );
        seed.students += 1;
      }
      try {
        await stores.enrollments.create(
          { courseId: course.moodleId, studentId: student._id, moodleUserId: user.id },
          now,
        );
        seed.enrollments += 1;
      } catch (error) {
        if (!(error instanceof DuplicateRecordError)) throw error;
      }
    }
  }
  return seed;
}

/**
 * Moodle never gives a course id twice, but the simulator starts afresh on every
 * run: without this, a course added to it now would take the id of one added in
 * an earlier run, which the kept database still knows (as NEW, or triaged).
 */
async function continueCourseIds(stores: Stores, site: SiteModel): Promise<void> {
  for (const course of await stores.courses.all()) site.reserveCourseIds(course.moodleId);
}

async function startMoodle(
  config: Config,
): Promise<{ config: ConfigWith<'MOODLE_URL' | 'MOODLE_TOKEN'>; simulator?: MoodleSimulator }> {
  const { url, token: configuredToken } = config.moodle;
  if (url !== undefined) {
    if (configuredToken === undefined) {
      throw new ConfigError([
        'MOODLE_TOKEN: required when MOODLE_URL is set (set neither to use the Moodle simulator)',
      ]);
    }
    return { config: { ...config, moodle: { ...config.moodle, url, token: configuredToken } } };
  }
  const token = randomBytes(16).toString('hex');
  const simulator = await startMoodleSimulator({ site: demoSite(), token });
  return {
    config: { ...config, moodle: { ...config.moodle, url: simulator.url, token: new Secret(token) } },
    simulator,
  };
}

export async function startDevStack(baseConfig: Config, options: DevStackOptions): Promise<DevStack> {
  const { log } = options;
  const progress = options.progress ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  // Everything started so far, in reverse: the API and worker before what they use.
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((error: unknown) => log.error({ err: error }, 'dev stack: stop failed'));
  };
  try {
    progress('Starting Temporal (dev server with UI) and the database…');
    const services: LocalServices = await startLocalServices(baseConfig, { ui: true, ...keptData(options.dataDir) });
    stops.push(() => services.stop());

    progress(
      baseConfig.moodle.url === undefined
        ? 'Starting the Moodle simulator (demo site)…'
        : `Using the Moodle at ${baseConfig.moodle.url}…`,
    );
    const moodle = await startMoodle(baseConfig);
    const { simulator } = moodle;
    if (simulator) stops.push(() => simulator.close());
    const apiKeys = { admin: generateApiKey(), reader: generateApiKey() };
    const config: ServiceConfig = {
      ...moodle.config,
      mongo: { ...moodle.config.mongo, uri: services.mongoUri },
      temporal: { ...moodle.config.temporal, address: services.temporalAddress },
      api: {
        ...moodle.config.api,
        port: moodle.config.api.port ?? 0,
        graphiql: true,
        keys: [
          ...moodle.config.api.keys,
          { role: 'admin', sha256: hashApiKey(apiKeys.admin) },
          { role: 'reader', sha256: hashApiKey(apiKeys.reader) },
        ],
      },
      // The simulator forwards its changes as Moodle's events, signed with a throwaway secret unless one is set.
      hooks: {
        ...moodle.config.hooks,
        secret: moodle.config.hooks.secret ?? (simulator && new Secret(randomBytes(24).toString('hex'))),
      },
      // On by default here, so that a newcomer can look at them (and Prometheus can scrape them).
      metrics: {
        ...moodle.config.metrics,
        workerPort: moodle.config.metrics.workerPort ?? 0,
        apiPort: moodle.config.metrics.apiPort ?? 0,
      },
    };
    const connections = await openConnections(config);
    stops.push(() => connections.close());

    progress('Starting the worker and its schedules…');
    const worker: RunningWorker = await startWorkerService(config, connections, {
      log,
      workflowBundlePath: options.workflowBundlePath,
      temporalMetricsUrl: options.temporalMetricsUrl,
    });
    stops.push(() => worker.stop());
    const api: ApiService = await startApiService(config, connections, { log });
    stops.push(() => api.close());
    const hooksUrl = `${api.url}${MOODLE_HOOK_PATH}`;
    const hookSecret = config.hooks.secret;
    if (simulator && hookSecret) simulator.events.configure({ url: hooksUrl, secret: hookSecret.reveal() });
    const metricsUrls = { worker: worker.metricsUrl, api: api.metricsUrl };
    let prometheusUrl: string | undefined;
    if (options.prometheus) {
      progress('Starting Prometheus with the alert rules…');
      const targets = Object.entries(metricsUrls).flatMap(([job, url]) =>
        url === undefined ? [] : [{ job: `sms-sync-${job}`, address: new URL(url).host }],
      );
      const prometheus = await startPrometheus({
        binary: config.tools.prometheusPath,
        targets,
        ruleFiles: [ALERT_RULES_FILE],
      });
      stops.push(() => prometheus.stop());
      prometheusUrl = prometheus.url;
    }

    const syncs = temporalSyncLauncher(connections.temporal, config);
    const waiting = (what: string) => (elapsedMs: number) =>
      progress(`  …${what} still running (${Math.round(elapsedMs / 1000)} s)`);
    progress('Running a course sync…');
    const courseSync = await waitForSync(
      connections.temporal,
      connections.stores,
      await syncs.startCourseSync('MANUAL'),
      waiting('course sync'),
    );
    const seed = simulator && (await seedDemoEnrollments(connections.stores, simulator.site, new Date()));
    if (simulator) await continueCourseIds(connections.stores, simulator.site);
    progress('Running an enrollment sync…');
    const enrollmentSync = await waitForSync(
      connections.temporal,
      connections.stores,
      await syncs.startEnrollmentSync('MANUAL'),
      waiting('enrollment sync'),
    );

    return {
      temporalAddress: services.temporalAddress,
      temporalUiUrl: services.temporalUiUrl,
      mongoUri: services.mongoUri,
      moodleUrl: config.moodle.url,
      graphqlUrl: `${api.url}${GRAPHQL_PATH}`,
      hooksUrl,
      metricsUrls,
      prometheusUrl,
      simulator,
      config,
      connections,
      apiKeys,
      seed,
      firstSyncs: [courseSync, enrollmentSync],
      servicePids: services.started.flatMap((service) => service.pids),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
