// Started by a test as a separate process: hosts a Temporal dev server and the
// local store the way `sms-sync dev` and the Jest global setup do, prints their
// pids and the store's socket folder as one JSON line, then waits to be interrupted.
import { loadConfig } from '../../src/config';
import { exitCleanlyOnSignals } from '../../src/local/processes';
import { startLocalServices } from '../../src/local/services';

async function main(): Promise<void> {
  exitCleanlyOnSignals();
  const { TEMPORAL_ADDRESS: _address, MONGODB_URI: _uri, ...env } = process.env;
  // An optional argument: a folder to keep the store's cluster in, as `sms-sync dev` does.
  const services = await startLocalServices(loadConfig(env), { storeDataDir: process.argv[2] });
  console.log(
    JSON.stringify({
      pids: services.started.flatMap((service) => service.pids),
      socketDir: services.store?.postgres.socketDir,
    }),
  );
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
