import type { Logger } from '../logger';

/** Well inside the health read's bound, so that a whole scrape stays near 2 s at worst. */
export const FORWARD_TIMEOUT_MS = 1_000;

/**
 * The exposition text of another Prometheus endpoint (the Temporal SDK's, which only its Rust core
 * can serve), to append to this process's own. Nothing, and a warning, when it does not answer in time.
 */
export async function scrapeEndpoint(url: string, options: { log: Logger; timeoutMs?: number }): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? FORWARD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.text();
  } catch (error) {
    options.log.warn({ err: error, url }, 'metrics: the Temporal SDK metrics are left out of this scrape');
    return '';
  }
}
