import { demoSite, FaultController, type MoodleSimulator } from '../../../src/moodle-sim';
import { post, startSim, until } from './support';

/** A `random` that plays back the given draws, then repeats the last one. */
function draws(...values: number[]): () => number {
  let index = 0;
  return () => values[Math.min(index++, values.length - 1)] as number;
}

describe('fault knobs', () => {
  let sim: MoodleSimulator;

  beforeEach(async () => {
    sim = await startSim(demoSite());
  });

  afterEach(() => sim.close());

  it.each([
    [0, 500, 'Internal Server Error'],
    [0.5, 502, 'Bad Gateway'],
    [0.99, 503, 'Service Unavailable'],
  ])('serverErrorRate: HTML %s page picked by the draw', async (draw, status, title) => {
    sim.faults.set({ serverErrorRate: 1, random: draws(draw) });
    const answer = await post(sim, 'core_course_get_courses');
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.text).toContain(`<title>${status} ${title}</title>`);
  });

  it('rateLimitRate: HTTP 429 with Retry-After', async () => {
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 7, random: draws(0) });
    const answer = await post(sim, 'core_course_get_courses');
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('7');
  });

  it('htmlErrorRate: HTTP 200 with Moodle’s HTML error page', async () => {
    sim.faults.set({ htmlErrorRate: 1, random: draws(0) });
    const answer = await post(sim, 'core_course_get_courses');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.text).toContain('<p class="errormessage">Error reading from database</p>');
  });

  it('malformedRate: HTTP 200 JSON that is cut short, or has PHP warnings in front', async () => {
    sim.faults.set({ malformedRate: 1, random: draws(0, 0.2) });
    const cut = await post(sim, 'core_course_get_courses');
    expect(cut.status).toBe(200);
    expect(cut.text.startsWith('[{"id":1,')).toBe(true);
    expect(() => JSON.parse(cut.text)).toThrow(SyntaxError);

    sim.faults.set({ random: draws(0, 0.7) });
    const noisy = await post(sim, 'core_course_get_courses');
    expect(noisy.text).toMatch(/^<br \/>\n<b>Warning<\/b>:/);
    expect(() => JSON.parse(noisy.text)).toThrow(SyntaxError);
  });

  it('timeoutRate: never answers; close() drops the held request', async () => {
    sim.faults.set({ timeoutRate: 1, random: draws(0) });
    const held = post(sim, 'core_course_get_courses').catch((error: unknown) => error);
    await until(() => sim.calls.total() === 1);
    sim.faults.reset();
    expect((await post(sim, 'core_course_get_courses')).status).toBe(200);
    await sim.close();
    expect(await held).toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('maintenance: sitemaintenance until switched off again', async () => {
    sim.faults.set({ maintenance: true });
    expect(JSON.parse((await post(sim, 'core_course_get_courses')).text)).toMatchObject({
      errorcode: 'sitemaintenance',
    });
    sim.faults.reset();
    const courses = JSON.parse((await post(sim, 'core_course_get_courses')).text) as { id: number }[];
    expect(courses.map((course) => course.id)).toEqual([1, 101, 102, 103, 104]);
  });

  it('reset() clears every fault', async () => {
    sim.faults.set({ serverErrorRate: 1, latencyMs: 5 });
    sim.faults.reset();
    expect(sim.faults.current).toMatchObject({ serverErrorRate: 0, latencyMs: 0, maintenance: false });
    expect((await post(sim, 'core_course_get_courses')).status).toBe(200);
  });
});

describe('latency faults', () => {
  let sim: MoodleSimulator;
  /** Every wait the server started, in order; each lasts until the test ends it. */
  let waits: { ms: number; end: () => void }[];

  beforeEach(async () => {
    waits = [];
    sim = await startSim(demoSite(), {
      scheduleWait: (end, ms) => {
        waits.push({ ms, end });
        return () => undefined;
      },
    });
  });

  afterEach(() => sim.close());

  /** Posts, ends the wait the answer is held for, and returns that wait's length. */
  const waitOf = async (wsfunction: string, params = {}) => {
    const started = waits.length;
    const answer = post(sim, wsfunction, params);
    await until(() => waits.length > started);
    const wait = waits[started] as { ms: number; end: () => void };
    wait.end();
    expect((await answer).status).toBe(200);
    return wait.ms;
  };

  it('latencyMs holds the answer until its wait ends; calls without latency are answered meanwhile', async () => {
    sim.faults.set({ latencyMs: 150 });
    const order: string[] = [];
    const held = post(sim, 'core_webservice_get_site_info').then(() => order.push('held'));
    await until(() => waits.length === 1);
    expect(waits[0]?.ms).toBe(150);

    sim.faults.set({ latencyMs: 0 });
    await post(sim, 'core_course_get_courses');
    order.push('unheld');
    waits[0]?.end();
    await held;
    expect(order).toEqual(['unheld', 'held']);
    expect(waits).toHaveLength(1);
  });

  it('perRowLatencyMs adds its delay once per record returned, on top of latencyMs', async () => {
    sim.faults.set({ latencyMs: 0, perRowLatencyMs: 20 });
    // Two students × eight rows.
    expect(await waitOf('gradereport_user_get_grade_items', { courseid: 101 })).toBe(16 * 20);
    expect(await waitOf('core_webservice_get_site_info')).toBe(20);
    sim.faults.set({ latencyMs: 100 });
    expect(await waitOf('core_webservice_get_site_info')).toBe(120);
    expect(sim.calls.latencyMs()).toBe(320 + 20 + 120);
  });
});

describe('FaultController', () => {
  it('maps one draw onto the rates in a fixed order, so they add up', () => {
    const faults = new FaultController({
      timeoutRate: 0.25,
      serverErrorRate: 0.25,
      malformedRate: 0.25,
      random: draws(0.1, 0.3, 0.6, 0.9),
    });
    expect([1, 2, 3, 4].map(() => faults.drawTransportFault())).toEqual([
      'timeout',
      'serverError',
      'malformed',
      undefined,
    ]);
  });

  it('draws from a seeded default, the same for every simulator', () => {
    const sequence = () => {
      const faults = new FaultController({ serverErrorRate: 0.5 });
      return Array.from({ length: 20 }, () => faults.drawTransportFault());
    };
    const first = sequence();
    expect(sequence()).toEqual(first);
    expect(first).toContain('serverError');
    expect(first).toContain(undefined);
  });

  it('rejects rates outside 0..1', () => {
    expect(() => new FaultController({ timeoutRate: 1.5 })).toThrow(RangeError);
    expect(() => new FaultController().set({ serverErrorRate: -0.1 })).toThrow(/serverErrorRate/);
  });
});

describe('call counting', () => {
  let sim: MoodleSimulator;

  beforeAll(async () => {
    sim = await startSim(demoSite());
  });

  afterAll(() => sim.close());

  it('counts every request by wsfunction, failed ones included', async () => {
    await post(sim, 'core_course_get_courses');
    await post(sim, 'core_course_get_courses', {}, { token: 'wrong' });
    await post(sim, 'core_course_get_contents', { courseid: 'x' });
    await post(sim, 'no_such_function');
    await post(sim, '', {}, { query: 'moodlewsrestformat=json' });
    sim.faults.set({ serverErrorRate: 1, random: draws(0) });
    await post(sim, 'core_course_get_courses');
    sim.faults.reset();

    expect(sim.calls.get('core_course_get_courses')).toBe(3);
    expect(sim.calls.byFunction()).toEqual({
      core_course_get_courses: 3,
      core_course_get_contents: 1,
      no_such_function: 1,
      '': 1,
    });
    expect(sim.calls.total()).toBe(6);
    sim.calls.reset();
    expect(sim.calls.total()).toBe(0);
    expect(sim.calls.get('core_course_get_courses')).toBe(0);
  });
});
