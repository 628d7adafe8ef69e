import {
  CONTROL_TOKEN_PATH,
  demoSite,
  requestNewCourse,
  requestTokenState,
  SimulatorControlError,
  type MoodleSimulator,
} from '../../../src/moodle-sim';
import { call, post, startSim, TOKEN } from './support';

/** The token revoked and restored while the simulator runs, as `sms-sync moodle-sim revoke-token` does it. */
describe('the token through the control endpoint', () => {
  let sim: MoodleSimulator;

  beforeEach(async () => {
    sim = await startSim(demoSite());
  });

  afterEach(() => sim.close());

  const errorCode = async () => {
    const answer = await post(sim, 'core_course_get_courses');
    return (JSON.parse(answer.text) as { errorcode?: string }).errorcode;
  };

  const controlPost = (body: string) =>
    fetch(`${sim.url}${CONTROL_TOKEN_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body });

  it('revokes it, unfaulted and uncounted: every web-service call gets invalidtoken', async () => {
    sim.faults.set({ serverErrorRate: 1 });
    expect(await requestTokenState(sim.url, TOKEN, { revoked: true })).toEqual({ revoked: true });
    expect(sim.site.tokenIsValid).toBe(false);
    expect(sim.calls.total()).toBe(0);
    sim.faults.set({ serverErrorRate: 0 });
    expect(await errorCode()).toBe('invalidtoken');
  });

  it('takes the revoked token to restore it, and the other controls keep taking it', async () => {
    await requestTokenState(sim.url, TOKEN, { revoked: true });
    // Revoking twice is no error: the answer is the state the token is in.
    expect(await requestTokenState(sim.url, TOKEN, { revoked: true })).toEqual({ revoked: true });
    await expect(requestNewCourse(sim.url, TOKEN, { fullname: 'While revoked' })).resolves.toMatchObject({
      fullname: 'While revoked',
    });
    expect(await requestTokenState(sim.url, TOKEN, { revoked: false })).toEqual({ revoked: false });
    expect(sim.site.tokenIsValid).toBe(true);
    expect(await call(sim, 'core_course_get_courses')).toEqual(expect.any(Array));
  });

  it('answers only the configured token, and only POST', async () => {
    await expect(requestTokenState(sim.url, 'not-the-token', { revoked: true })).rejects.toMatchObject({
      message: expect.stringContaining('refused the token'),
      badInput: false,
    });
    const get = await fetch(`${sim.url}${CONTROL_TOKEN_PATH}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ error: 'only POST, which revokes or restores the token' });
    expect(sim.site.tokenIsValid).toBe(true);
  });

  it('refuses a body that does not say true or false, with an example, and changes nothing', async () => {
    const notJson = await controlPost('revoked=1');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'expected a JSON body such as {"revoked": true}' });
    expect(await (await controlPost('[true]')).json()).toEqual({ error: 'expected a JSON object' });
    const refusal = requestTokenState(sim.url, TOKEN, { revoked: 'yes' as unknown as boolean });
    await expect(refusal).rejects.toThrow(new SimulatorControlError('revoked: expected true or false'));
    await expect(refusal).rejects.toMatchObject({ badInput: true });
    expect(sim.site.tokenIsValid).toBe(true);
  });
});
