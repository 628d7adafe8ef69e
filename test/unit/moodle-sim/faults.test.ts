import { demoSite, FaultController, type MoodleSimulator } from '../../../src/moodle-sim';
import { post, startSim } from './support';

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

  it('timeoutRate: never answers; close() still ends promptly', async () => {
    sim.faults.set({ timeoutRate: 1, random: draws(0) });
    await expect(post(sim, 'core_course_get_courses', {}, { headersTimeout: 300 })).rejects.toThrow(/timeout/i);
    const held = post(sim, 'core_course_get_courses').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = Date.now();
    await sim.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(await held).toBeInstanceOf(Error);
  });

  it('latencyMs delays every answer; perRowLatencyMs grows with the rows returned', async () => {
    const timed = async (wsfunction: string, params = {}) => {
      const started = Date.now();
      await post(sim, wsfunction, params);
      return Date.now() - started;
    };
    sim.faults.set({ latencyMs: 150 });
    expect(await timed('core_webservice_get_site_info')).toBeGreaterThanOrEqual(140);
    sim.faults.set({ latencyMs: 0, perRowLatencyMs: 20 });
    // Two students × eight rows.
    expect(await timed('gradereport_user_get_grade_items', { courseid: 101 })).toBeGreaterThanOrEqual(300);
    expect(await timed('core_webservice_get_site_info')).toBeLessThan(200);
  });

  it('maintenance: sitemaintenance until switched off again', async () => {
    sim.faults.set({ maintenance: true });
    expect(JSON.parse((await post(sim, 'core_course_get_courses')).text)).toMatchObject({ errorcode: 'sitemaintenance' });
    sim.faults.reset();
    expect(JSON.parse((await post(sim, 'core_course_get_courses')).text)).toEqual(expect.any(Array));
  });

  it('reset() clears every fault', async () => {
    sim.faults.set({ serverErrorRate: 1, latencyMs: 5 });
    sim.faults.reset();
    expect(sim.faults.current).toMatchObject({ serverErrorRate: 0, latencyMs: 0, maintenance: false });
    expect((await post(sim, 'core_course_get_courses')).status).toBe(200);
  });
});

describe('FaultController', () => {
  it('maps one draw onto the rates in a fixed order, so they add up', () => {
    const faults = new FaultController({ timeoutRate: 0.25, serverErrorRate: 0.25, malformedRate: 0.25, random: draws(0.1, 0.3, 0.6, 0.9) });
    expect([1, 2, 3, 4].map(() => faults.drawTransportFault())).toEqual(['timeout', 'serverError', 'malformed', undefined]);
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
