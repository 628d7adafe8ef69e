import { MongoClient } from 'mongodb';
import { freePort } from '../../src/local/processes';
import { isDatabaseUnavailable } from '../../src/store';

// The API and the activities tell "the database is not answering" from a bug by this predicate alone.
describe('isDatabaseUnavailable', () => {
  it('recognises a database that does not answer, and nothing else', async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${await freePort()}`, { serverSelectionTimeoutMS: 300 });
    const failure = await client.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    await client.close();
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(isDatabaseUnavailable(new Error('a bug'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
