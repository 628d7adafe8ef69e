import { request } from 'undici';
import { demoSite, type MoodleSimulator } from '../../../src/moodle-sim';
import { call, form, post, startSim, TOKEN, until } from './support';

describe('Moodle unavailable', () => {
  let sim: MoodleSimulator;

  beforeEach(async () => {
    sim = await startSim(demoSite());
  });

  afterEach(() => sim.close());

  it('cliMaintenance: every web-service call gets "503 Moodle under maintenance" and the maintenance page', async () => {
    sim.faults.set({ cliMaintenance: true });
    // Before any check of Moodle's: even a wrong token gets the page.
    const answer = await request(`${sim.url}/webservice/rest/server.php?moodlewsrestformat=json&wsfunction=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ wstoken: 'wrong' }),
    });
    expect(answer.statusCode).toBe(503);
    expect(answer.statusText).toBe('Moodle under maintenance');
    expect(answer.headers['retry-after']).toBe('300');
    expect(await answer.body.text()).toContain(`<title>${sim.site.identity.sitename} under maintenance</title>`);

    sim.faults.reset();
    expect(await call(sim, 'core_course_get_contents', { courseid: 101 })).toHaveLength(4);
  });

  it('stopListening: connections are refused until listenAgain brings the site back at the same URL', async () => {
    const url = sim.url;
    expect((await post(sim, 'core_course_get_courses')).status).toBe(200);
    await sim.stopListening();
    await expect(post(sim, 'core_course_get_courses')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Stopping twice is harmless.
    await sim.stopListening();

    await sim.listenAgain();
    expect(sim.url).toBe(url);
    expect((await post(sim, 'core_course_get_courses', {}, { token: TOKEN })).status).toBe(200);
    // Listening again while listening is harmless too.
    await sim.listenAgain();
    expect((await post(sim, 'core_course_get_courses')).status).toBe(200);
  });

  it('stopListening drops the requests in flight', async () => {
    sim.faults.set({ timeoutRate: 1 });
    const held = post(sim, 'core_course_get_courses').catch((error: unknown) => error);
    await until(() => sim.calls.total() === 1);
    await sim.stopListening();
    expect(await held).toMatchObject({ code: 'UND_ERR_SOCKET' });
  });
});
