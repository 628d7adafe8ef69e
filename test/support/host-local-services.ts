// Started by a test as a separate process: hosts a Temporal dev server and a
// FerretDB the way `sms-sync dev` and the Jest global setup do, prints their
// pids as one JSON line, then waits to be interrupted.
import { loadConfig } from '../../src/config';
import { exitCleanlyOnSignals } from '../../src/local/processes';
import { startLocalServices } from '../../src/local/services';

async function main(): Promise<void> {
  exitCleanlyOnSignals();
  const { TEMPORAL_ADDRESS: _address, MONGODB_URI: _uri, ...env } = process.env;
  const services = await startLocalServices(loadConfig(env));
  console.log(JSON.stringify({ pids: services.started.flatMap((service) => service.pids) }));
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
