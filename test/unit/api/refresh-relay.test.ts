import { RefreshRelay } from '../../../src/api/hooks/refresh-relay';
import type { RefreshTarget } from '../../../src/domain/moodle-events';
import { createLogger } from '../../../src/logger';

/** A launcher whose signals land only when the test says so. */
function signals() {
  const sent: { target: RefreshTarget; eventName: string; land: () => void; fail: (error: Error) => void }[] = [];
  const send = (target: RefreshTarget, eventName: string) =>
    new Promise<{ workflowId: string; runId: string }>((resolve, reject) => {
      sent.push({ target, eventName, land: () => resolve({ workflowId: 'w', runId: 'r' }), fail: reject });
    });
  return { sent, send };
}

const course = (courseId: number): RefreshTarget => ({ kind: 'COURSE_GRADES', courseId });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RefreshRelay', () => {
  it('folds the events that arrive while a signal is on its way into one more signal, sent after it lands', async () => {
    const { sent, send } = signals();
    const relay = new RefreshRelay(send, createLogger('silent'));
    const first = relay.relay(course(7), 'a');
    const folded = await Promise.all([relay.relay(course(7), 'b'), relay.relay(course(7), 'c')]);
    expect(folded).toEqual([
      { workflowId: 'refresh-course-7', folded: true },
      { workflowId: 'refresh-course-7', folded: true },
    ]);
    expect(sent.map((signal) => signal.eventName)).toEqual(['a']);
    sent[0]!.land();
    expect(await first).toEqual({ workflowId: 'refresh-course-7', folded: false });
    await settle();
    expect(sent.map((signal) => signal.eventName)).toEqual(['a', 'c']);
    // An event while the folded signal flies is folded again: every event is followed by a signal.
    expect((await relay.relay(course(7), 'd')).folded).toBe(true);
    sent[1]!.land();
    await settle();
    expect(sent.map((signal) => signal.eventName)).toEqual(['a', 'c', 'd']);
    sent[2]!.land();
    await settle();
    // Nothing in flight any more: the next event gets a signal of its own, and waits for it.
    const later = relay.relay(course(7), 'e');
    expect(sent).toHaveLength(4);
    sent[3]!.land();
    expect((await later).folded).toBe(false);
  });

  it('keeps targets apart', async () => {
    const { sent, send } = signals();
    const relay = new RefreshRelay(send, createLogger('silent'));
    const answers = [
      relay.relay(course(7), 'a'),
      relay.relay(course(8), 'a'),
      relay.relay({ kind: 'COURSE_LIST' }, 'a'),
    ];
    expect(sent.map((signal) => signal.target)).toEqual([course(7), course(8), { kind: 'COURSE_LIST' }]);
    sent.forEach((signal) => signal.land());
    expect((await Promise.all(answers)).map((answer) => answer.workflowId)).toEqual([
      'refresh-course-7',
      'refresh-course-8',
      'refresh-course-list',
    ]);
  });

  it('passes a failed signal on to its event, and lets the next event try again', async () => {
    const { sent, send } = signals();
    const relay = new RefreshRelay(send, createLogger('silent'));
    const first = relay.relay(course(7), 'a');
    sent[0]!.fail(new Error('Temporal is down'));
    await expect(first).rejects.toThrow('Temporal is down');
    const again = relay.relay(course(7), 'b');
    expect(sent).toHaveLength(2);
    sent[1]!.land();
    expect((await again).folded).toBe(false);
  });
});
