import { loadConfig } from '../../src/config';
import { startTemporalDevServer } from '../../src/local/services';
import { resolveTool } from '../../src/local/tools';
import { testConfig } from './environment';
import { startServiceStack, type ServiceStack, type ServiceStackOptions } from './service-stack';

/**
 * A service stack (startServiceStack) on a headless, in-memory Temporal dev server of the test's own:
 * its worker ensures the schedules, which must not replace those of other test files on the shared
 * server. The shared database server holds its data, in a database of its own. `close()` stops both.
 */
export async function startStackOnOwnTemporal(
  options: Omit<ServiceStackOptions, 'temporalAddress' | 'mongoUri'>,
): Promise<ServiceStack> {
  const config = loadConfig();
  const temporal = await startTemporalDevServer({
    binary: resolveTool('temporal', config),
    namespace: config.temporal.namespace,
  });
  try {
    const stack = await startServiceStack({
      ...options,
      temporalAddress: temporal.address,
      mongoUri: testConfig().mongo.uri,
    });
    return {
      ...stack,
      async close() {
        await stack.close();
        await temporal.stop();
      },
    };
  } catch (error) {
    await temporal.stop();
    throw error;
  }
}
