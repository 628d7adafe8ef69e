import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/Pick';
import { streamArray } from 'stream-json/streamers/StreamArray';
import { notJsonError, responseTooLargeError, type HttpAnswer, type MoodleCall } from './classify';
import { MAX_STREAMED_GRADE_REPORT_BYTES } from './limits';
import { parseGradeItems, parseMoodleBody, parseUserGrades } from './parse';
import type { UserGrades } from '../domain/moodle-data';

/** How a grade report that can be read one user at a time begins (Moodle writes `usergrades` first). */
const STREAMABLE_START = /^\uFEFF?\s*\{\s*"usergrades"\s*:\s*\[/;
/** Enough of the body to tell: the start above, with room for whitespace. */
const HEAD_BYTES = 64;

/**
 * What `onUser` threw, carried past the client's classification of transport errors: the caller's own
 * failure, to be rethrown as it is.
 */
export class GradeReportCallbackError extends Error {
  constructor(readonly original: unknown) {
    super('the grade report callback failed');
  }
}

/** Hands one user over, marking what the caller throws as the caller's. */
async function handOver(onUser: (grades: UserGrades) => void | Promise<void>, grades: UserGrades): Promise<void> {
  try {
    // Awaited: a caller that writes as it reads holds the report back meanwhile.
    await onUser(grades);
  } catch (error) {
    throw new GradeReportCallbackError(error);
  }
}

/** stream-json's parser says "Parser cannot parse input…", "Parser has expected…": the body is not JSON. */
function isParserError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Parser ');
}

/**
 * Reads a whole-course grade report (`userid=0`) one user at a time, so that a gradebook of any size costs
 * the memory of one user's grades (and whatever `onUser` keeps): 3,000 students × 80 items is about 145 MB of JSON, which read whole
 * would be held several times over (bytes, text, parsed objects). `onUser` sees each user's validated grades in report order. The body is
 * still bounded by MAX_STREAMED_GRADE_REPORT_BYTES. An answer that does not start like a grade report (a
 * Moodle exception, an HTML page) is read whole, as small answers are, within `wholeLimitBytes`, and
 * classified the same way. Returns the users read.
 */
export async function readGradeReport(
  call: MoodleCall,
  answer: Omit<HttpAnswer, 'body'> & { body: AsyncIterable<Buffer> },
  wholeLimitBytes: number,
  onUser: (grades: UserGrades) => void | Promise<void>,
): Promise<number> {
  const chunks = answer.body[Symbol.asyncIterator]();
  try {
    return await readUsers(call, answer, chunks, wholeLimitBytes, onUser);
  } finally {
    // Whatever ended the read, the body is closed, and its connection with it if unread: it serves no other call.
    await chunks.return?.();
  }
}

async function readUsers(
  call: MoodleCall,
  answer: Omit<HttpAnswer, 'body'>,
  chunks: AsyncIterator<Buffer>,
  wholeLimitBytes: number,
  onUser: (grades: UserGrades) => void | Promise<void>,
): Promise<number> {
  let limitBytes = MAX_STREAMED_GRADE_REPORT_BYTES;
  let size = 0;
  const next = async (): Promise<Buffer | undefined> => {
    const read = await chunks.next();
    if (read.done) return undefined;
    size += read.value.length;
    if (size > limitBytes) throw responseTooLargeError(call, limitBytes);
    return read.value;
  };
  const head: Buffer[] = [];
  while (size < HEAD_BYTES) {
    const chunk = await next();
    if (chunk === undefined) break;
    head.push(chunk);
  }
  const start = Buffer.concat(head).toString('utf8');
  if (!STREAMABLE_START.test(start)) {
    limitBytes = wholeLimitBytes;
    if (size > limitBytes) throw responseTooLargeError(call, limitBytes);
    const rest: Buffer[] = [];
    for (let chunk = await next(); chunk !== undefined; chunk = await next()) rest.push(chunk);
    const body = Buffer.concat([...head, ...rest]).toString('utf8');
    const users = parseGradeItems(parseMoodleBody(call, { ...answer, body }));
    for (const grades of users) await handOver(onUser, grades);
    return users.length;
  }

  async function* bytes(): AsyncGenerator<Buffer> {
    // The byte-order mark a PHP file saved with one puts first: the parser would refuse it.
    yield* head.map((chunk, index) => (index === 0 ? chunk.subarray(start.startsWith('\uFEFF') ? 3 : 0) : chunk));
    for (let chunk = await next(); chunk !== undefined; chunk = await next()) yield chunk;
  }
  let users = 0;
  try {
    await pipeline(
      Readable.from(bytes()),
      // Whole keys, strings and numbers only: fewer tokens, and less garbage left behind.
      parser({ streamValues: false }),
      pick({ filter: 'usergrades' }),
      streamArray(),
      async (elements: AsyncIterable<{ key: number; value: unknown }>) => {
        for await (const { key, value } of elements) {
          await handOver(onUser, parseUserGrades(value, key));
          users += 1;
        }
      },
    );
  } catch (error) {
    if (isParserError(error)) throw notJsonError(call, '');
    throw error;
  }
  return users;
}
