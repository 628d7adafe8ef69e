import { loadConfig } from '../src/config';
import { findPostgresBinDir } from '../src/local/postgres';
import { ensureTool } from '../src/local/tools';

/**
 * Builds the local Temporal dev server and FerretDB unless configuration says
 * they are not needed: an existing server (TEMPORAL_ADDRESS, MONGODB_URI) or a
 * binary the user already has (TEMPORAL_CLI_PATH, FERRETDB_PATH), and checks
 * that the PostgreSQL FerretDB stores its data in is installed (it is a
 * system package, not something to build).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = (line: string) => console.log(`[tools] ${line}`);
  if (config.temporal.address === undefined) await ensureTool('temporal', config, log);
  if (config.mongo.uri === undefined) {
    await ensureTool('ferretdb', config, log);
    findPostgresBinDir(config.tools.postgresBinDir);
  }
}

main().catch((error: unknown) => {
  console.error(`[tools] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
