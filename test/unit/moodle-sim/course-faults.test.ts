import { request } from 'undici';
import { demoSite, TRICKLE_INTERVAL_MS, type MoodleSimulator, type SimulatedCall } from '../../../src/moodle-sim';
import { call, form, post, startSim, TOKEN } from './support';

const GRADES = 'gradereport_user_get_grade_items';
const COURSE = 101;
const OTHER_COURSE = 102;

describe('course faults: garbage answers for the calls of chosen courses', () => {
  let sim: MoodleSimulator;
  let healthyReport: string;

  beforeEach(async () => {
    sim = await startSim(demoSite());
    healthyReport = (await post(sim, GRADES, { courseid: COURSE })).text;
  });

  afterEach(() => sim.close());

  it('html-page: HTTP 200 with Moodle’s HTML error page, for the grade report of that course only', async () => {
    sim.faults.set({ courseFaults: new Map([[COURSE, { answer: 'html-page' }]]) });
    const broken = await post(sim, GRADES, { courseid: COURSE });
    expect(broken.status).toBe(200);
    expect(broken.headers['content-type']).toMatch(/^text\/html/);
    expect(broken.text).toContain('<p class="errormessage">Error reading from database</p>');

    // Other courses, and the course's other functions, answer as before.
    expect(JSON.parse((await post(sim, GRADES, { courseid: OTHER_COURSE })).text)).toHaveProperty('usergrades');
    expect(await call(sim, 'core_course_get_contents', { courseid: COURSE })).toHaveLength(4);
  });

  it('truncated-json: the right answer cut in half', async () => {
    sim.faults.set({ courseFaults: new Map([[COURSE, { answer: 'truncated-json' }]]) });
    const cut = await post(sim, GRADES, { courseid: COURSE });
    expect(cut.status).toBe(200);
    expect(cut.text).toBe(healthyReport.slice(0, Math.floor(healthyReport.length / 2)));
  });

  it('redirect: HTTP 302 to the login page', async () => {
    sim.faults.set({
      courseFaults: new Map([[COURSE, { answer: 'redirect', wsfunction: 'core_course_get_contents' }]]),
    });
    const moved = await post(sim, 'core_course_get_contents', { courseid: COURSE });
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe(`${sim.url}/login/index.php`);
    // The fault names another function: the grade report is untouched.
    expect((await post(sim, GRADES, { courseid: COURSE })).text).toBe(healthyReport);
  });

  it('oversized: the right answer followed by spaces up to the size asked for, without a length', async () => {
    const bytes = 3 * 1024 * 1024 + 17;
    sim.faults.set({ courseFaults: new Map([[COURSE, { answer: 'oversized', bytes }]]) });
    const padded = await post(sim, GRADES, { courseid: COURSE });
    expect(padded.headers['content-length']).toBeUndefined();
    expect(Buffer.byteLength(padded.text)).toBe(bytes);
    expect(padded.text.trimEnd()).toBe(healthyReport);
  });

  it('trickle: the right answer one byte a second, until the client goes away', async () => {
    sim.faults.set({ courseFaults: new Map([[COURSE, { answer: 'trickle' }]]) });
    const answer = await request(`${sim.url}/webservice/rest/server.php?moodlewsrestformat=json&wsfunction=${GRADES}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ wstoken: TOKEN, courseid: COURSE }),
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-length']).toBeUndefined();
    const started = performance.now();
    const received: string[] = [];
    for await (const chunk of answer.body) {
      received.push(String(chunk));
      if (received.length === 2) break;
    }
    expect(received.join('')).toBe(healthyReport.slice(0, 2));
    expect(performance.now() - started).toBeGreaterThanOrEqual(TRICKLE_INTERVAL_MS * 0.9);
  });

  it('reset() clears the course faults', async () => {
    sim.faults.set({ courseFaults: new Map([[COURSE, { answer: 'html-page' }]]) });
    sim.faults.reset();
    expect((await post(sim, GRADES, { courseid: COURSE })).text).toBe(healthyReport);
  });
});

describe('call listeners', () => {
  let sim: MoodleSimulator;

  beforeEach(async () => {
    sim = await startSim(demoSite());
  });

  afterEach(() => sim.close());

  it('hear each call, with its course, before the site answers it, so they can change the site for that call', async () => {
    const heard: SimulatedCall[] = [];
    const stop = sim.onCall((heardCall) => {
      heard.push(heardCall);
      if (heardCall.wsfunction === GRADES && heardCall.courseId === COURSE) sim.site.deleteCourse(COURSE);
    });
    await post(sim, 'core_course_get_courses');
    const vanished = await call<{ errorcode: string; message: string }>(sim, GRADES, { courseid: COURSE });
    stop();
    sim.site.restoreCourse(COURSE);
    await post(sim, 'core_webservice_get_site_info');

    expect(heard).toEqual([
      { wsfunction: 'core_course_get_courses', courseId: undefined },
      { wsfunction: GRADES, courseId: COURSE },
    ]);
    expect(vanished.errorcode).toBe('invalidrecord');
    expect(vanished.message).toContain('course');
  });
});
