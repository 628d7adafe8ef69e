import { loadConfig } from '../src/config';
import { ensureLocalTools } from '../src/local/tools';

ensureLocalTools(loadConfig(), (line) => console.log(`[tools] ${line}`)).catch((error: unknown) => {
  console.error(`[tools] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
