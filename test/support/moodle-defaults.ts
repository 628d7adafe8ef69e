import { loadConfig } from '../../src/config';

/** The client settings a deployment gets when it sets none (MOODLE_TIMEOUT, MOODLE_MAX_CONNECTIONS). */
export const DEFAULT_MOODLE_CLIENT_SETTINGS = (({ timeoutMs, maxConnections }) => ({ timeoutMs, maxConnections }))(
  loadConfig({}).moodle,
);
