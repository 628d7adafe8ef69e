import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { exitCleanlyOnSignals } from '../../src/local/processes';
import { startLocalServices, type LocalServices } from '../../src/local/services';
import { writeWorkflowBundle } from '../../src/temporal/bundle';
import { TEST_BUNDLE_VARIABLE, TEST_POSTGRES_SOCKET_VARIABLE } from './environment';

declare global {
  // Shared with global-teardown, which runs in the same process.
  var smsSyncTestServices: { services: LocalServices; bundleDir: string; removeSignalHandlers: () => void } | undefined;
}

/**
 * One Temporal dev server and one embedded store (FerretDB on PostgreSQL) for the whole run (unless
 * TEMPORAL_ADDRESS / MONGODB_URI name existing ones), and the workflow code
 * bundled once. Test workers inherit the addresses through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const removeSignalHandlers = exitCleanlyOnSignals();
  const services = await startLocalServices(loadConfig());
  process.env.TEMPORAL_ADDRESS = services.temporalAddress;
  process.env.MONGODB_URI = services.mongoUri;
  if (services.store) process.env[TEST_POSTGRES_SOCKET_VARIABLE] = services.store.postgres.socketDir;

  const bundleDir = mkdtempSync(path.join(tmpdir(), 'sms-sync-bundle-'));
  const bundlePath = path.join(bundleDir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundlePath);
  process.env[TEST_BUNDLE_VARIABLE] = bundlePath;

  globalThis.smsSyncTestServices = { services, bundleDir, removeSignalHandlers };
}
