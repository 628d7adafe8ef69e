import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';

/** Everything ops and clients can read after a fault: the places a secret must never reach. */
export interface SecretScanSources {
  /** Every workflow history in its namespace is read: inputs, results, failures, heartbeats, memos. */
  temporal: Client;
  /** Only the workflows this visibility query lists (on a server shared with other tests). */
  query?: string;
  /** Every document of every collection. */
  db: Db;
  /** Log lines as written (JSON objects or text). */
  logs?: readonly unknown[];
  /** Anything else shown to someone: GraphQL responses, command output. */
  shown?: readonly unknown[];
}

/** Payloads travel as bytes: read them as the text they hold, as the Temporal UI shows them. */
function asText(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner instanceof Uint8Array ? Buffer.from(inner).toString('utf8') : inner,
  );
}

async function* everyPlace(sources: SecretScanSources): AsyncGenerator<[where: string, text: string]> {
  for await (const execution of sources.temporal.workflow.list({ query: sources.query })) {
    const history = await sources.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    yield [`the history of ${execution.workflowId}`, asText(history)];
    yield [`the memo of ${execution.workflowId}`, asText(execution.memo)];
  }
  for (const { name } of await sources.db.listCollections({}, { nameOnly: true }).toArray()) {
    yield [`the ${name} collection`, asText(await sources.db.collection(name).find({}).toArray())];
  }
  for (const [index, line] of (sources.logs ?? []).entries()) yield [`log line ${index}`, asText(line)];
  for (const [index, shown] of (sources.shown ?? []).entries()) yield [`shown item ${index}`, asText(shown)];
}

/**
 * Fault row "Secrets": none of `secrets` (the Moodle token, API keys) appears anywhere in `sources`.
 * Returns how many places were read, so that a caller can check the scan saw something.
 */
export async function expectNoSecrets(secrets: readonly string[], sources: SecretScanSources): Promise<number> {
  expect(secrets.every((secret) => secret.length >= 16)).toBe(true);
  const leaks: string[] = [];
  let places = 0;
  for await (const [where, text] of everyPlace(sources)) {
    places += 1;
    for (const [index, secret] of secrets.entries())
      if (text.includes(secret)) leaks.push(`secret ${index} in ${where}`);
  }
  expect(leaks).toEqual([]);
  return places;
}
