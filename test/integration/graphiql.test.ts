import type { Browser, Page } from 'playwright-core';
import { createApp, GRAPHQL_PATH } from '../../src/api/app';
import { GRAPHIQL_KEY_PLACEHOLDER } from '../../src/api/graphiql';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import type { Database } from '../../src/store/mongo';
import { emptyCourseDiff } from '../../src/domain/course-diff';
import { launchChromium } from '../support/browser';
import { moodleCourseFields } from '../support/courses';
import { openTestStores } from '../support/environment';
import { loadConfig } from '../../src/config';

/**
 * GraphiQL as `npm run dev` serves it, in headless Chromium: it must render and
 * run a reader's query with nothing but the API to talk to, since the machines
 * it runs on may be offline. Requests to anywhere else are recorded and refused.
 */
const READER_KEY = generateApiKey();
const STEP_MS = 20_000;

const HEADERS_EDITOR = 'section[aria-label="Headers"] .graphiql-editor:not(.hidden) .monaco-editor';
const RESULT = 'section[aria-label="Result Window"]';

describe('GraphiQL in a browser, with no network but the API', () => {
  let database: Database;
  let api: ApiServer;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  let apiOrigin: string;
  // Blob URLs (the editor's workers) carry the origin of the page that made them.
  const leavesTheApi = (url: string) => !url.startsWith('data:') && new URL(url).origin !== apiOrigin;

  /** Monaco draws spaces as no-break spaces. */
  const textOf = async (selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').replace(/\u00a0/g, ' ');

  beforeAll(async () => {
    const opened = await openTestStores();
    database = opened.database;
    const { stores } = opened;
    const now = new Date();
    const moodle = moodleCourseFields('BIO101', 'Biology 101');
    const course = { moodleId: 101, state: 'NEW' as const, moodle, lmsDeletedAt: null };
    await stores.courses.applyDiff({ ...emptyCourseDiff(1), created: [course] }, now);
    // Readers never see NEW courses.
    await stores.courses.setState(101, 'OPEN', now);
    const app = createApp({
      stores,
      moodle: { getUsersByField: () => Promise.reject(new Error('a reader never asks Moodle')) },
      syncs: {
        startCourseSync: () => Promise.reject(new Error('a reader never starts a sync')),
        startEnrollmentSync: () => Promise.reject(new Error('a reader never starts a sync')),
        refreshOnMoodleEvent: () => Promise.reject(new Error('a reader never starts a sync')),
      },
      now: () => new Date(),
      syncIntervals: loadConfig({}).sync,
      apiKeys: [{ role: 'reader', sha256: hashApiKey(READER_KEY) }],
      graphiql: true,
      logger: createLogger('silent'),
    });
    api = await startApiServer(app, { host: '127.0.0.1', port: 0, isReady: async () => true });

    browser = await launchChromium();
    // Tall enough for the whole result: Monaco draws only the lines in view.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(STEP_MS);
    apiOrigin = new URL(api.url).origin;
    context.on('request', (request) => requests.push(request.url()));
    await context.route(
      (url) => leavesTheApi(url.href),
      (route) => route.abort('internetdisconnected'),
    );
    page = await context.newPage();
    await page.goto(`${api.url}${GRAPHQL_PATH}`, { timeout: STEP_MS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await database?.close();
  });

  it('renders the editors, with the key to fill in under Headers', async () => {
    await page.locator('.graphiql-container').first().waitFor();
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    await page.locator(HEADERS_EDITOR).waitFor();
    expect(await textOf('.graphiql-query-editor .monaco-editor')).toContain('syncStatus');
    expect(await textOf(HEADERS_EDITOR)).toContain(`"Authorization": "Bearer ${GRAPHIQL_KEY_PLACEHOLDER}"`);
  });

  it("runs the default query with a reader's key", async () => {
    await page.locator(HEADERS_EDITOR).click();
    await page.keyboard.press('ControlOrMeta+A');
    // Pasted, as a person would: typed, Monaco would close each brace and quote a second time.
    await page.locator(`${HEADERS_EDITOR} textarea`).evaluate(
      (textarea, text) => {
        const clipboardData = new DataTransfer();
        clipboardData.setData('text/plain', text);
        textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
      },
      JSON.stringify({ Authorization: `Bearer ${READER_KEY}` }),
    );
    await page.locator('.graphiql-execute-button').click();
    await page.locator(RESULT).filter({ hasText: 'BIO101' }).waitFor();
    const result = await textOf(RESULT);
    expect(result).toContain('"shortName": "BIO101"');
    expect(result).toContain('"syncStatus"');
    expect(result).not.toContain('"errors"');
  });

  // Its first introspection went out with the placeholder and was refused; the default query says so.
  it('loads the schema for the docs when asked again, now with the key', async () => {
    await page.locator('[aria-label^="Re-fetch GraphQL schema"]').click();
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    await page.locator('.graphiql-doc-explorer-root-type').filter({ hasText: 'Query' }).first().waitFor();
    await page
      .locator('.graphiql-doc-explorer-type-name')
      .filter({ hasText: /^SyncStatus$/ })
      .waitFor();
  });

  it('asks nothing of any host but the API', () => {
    expect(requests).toContain(`${api.url}${GRAPHQL_PATH}`);
    expect(requests.filter(leavesTheApi)).toEqual([]);
  });
});
