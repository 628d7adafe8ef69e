import { RefreshRelay, type Relayed } from '../../../src/api/hooks/refresh-relay';
import type { RefreshTarget } from '../../../src/domain/moodle-events';

/** A launcher whose signals land, or fail, only when the test says so. */
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

/** Whether an answer has come yet, and which. */
function watch(answer: Promise<Relayed>) {
  const seen: { value?: Relayed; error?: unknown } = {};
  answer.then(
    (value) => (seen.value = value),
    (error: unknown) => (seen.error = error),
  );
  return seen;
}

describe('RefreshRelay', () => {
  it('sends the events that arrive while a signal flies as one more signal, and answers them once it lands', async () => {
    const { sent, send } = signals();
    const relay = new RefreshRelay(send);
    const first = watch(relay.relay(course(7), 'a'));
    await settle();
    const second = watch(relay.relay(course(7), 'b'));
    const third = watch(relay.relay(course(7), 'c'));
    await settle();
    expect(sent.map((signal) => signal.eventName)).toEqual(['a']);

    sent[0]!.land();
    await settle();
    expect(first.value).toEqual({ workflowId: 'refresh-course-7', folded: false });
    // One signal for both, naming the latest; neither is answered before it lands.
    expect(sent.map((signal) => signal.eventName)).toEqual(['a', 'c']);
    expect([second.value, third.value]).toEqual([undefined, undefined]);

    const fourth = watch(relay.relay(course(7), 'd'));
    sent[1]!.land();
    await settle();
    expect([second.value, third.value]).toEqual([
      { workflowId: 'refresh-course-7', folded: true },
      { workflowId: 'refresh-course-7', folded: true },
    ]);
    // An event that came while that signal flew gets a signal sent after it.
    expect(sent.map((signal) => signal.eventName)).toEqual(['a', 'c', 'd']);
    expect(fourth.value).toBeUndefined();
    sent[2]!.land();
    await settle();
    expect(fourth.value?.folded).toBe(true);

    // Nothing in flight any more: the next event gets a signal of its own at once.
    const later = watch(relay.relay(course(7), 'e'));
    await settle();
    expect(sent).toHaveLength(4);
    sent[3]!.land();
    await settle();
    expect(later.value).toEqual({ workflowId: 'refresh-course-7', folded: false });
  });

  it('keeps targets apart', async () => {
    const { sent, send } = signals();
    const relay = new RefreshRelay(send);
    const answers = [
      relay.relay(course(7), 'a'),
      relay.relay(course(8), 'a'),
      relay.relay({ kind: 'COURSE_LIST' }, 'a'),
    ];
    await settle();
    expect(sent.map((signal) => signal.target)).toEqual([course(7), course(8), { kind: 'COURSE_LIST' }]);
    sent.forEach((signal) => signal.land());
    expect((await Promise.all(answers)).map((answer) => answer.workflowId)).toEqual([
      'refresh-course-7',
      'refresh-course-8',
      'refresh-course-list',
    ]);
  });

  it('fails every event that shares a failed signal, sends the next one anyway, and lets later events try again', async () => {
    const { sent, send } = signals();
    const relay = new RefreshRelay(send);
    const first = watch(relay.relay(course(7), 'a'));
    await settle();
    const folded = [watch(relay.relay(course(7), 'b')), watch(relay.relay(course(7), 'c'))];
    sent[0]!.fail(new Error('Temporal is down'));
    await settle();
    expect((first.error as Error).message).toBe('Temporal is down');
    // The events that waited behind it still get their own signal.
    expect(sent.map((signal) => signal.eventName)).toEqual(['a', 'c']);
    sent[1]!.fail(new Error('still down'));
    await settle();
    expect(folded.map((seen) => (seen.error as Error).message)).toEqual(['still down', 'still down']);

    const again = watch(relay.relay(course(7), 'd'));
    await settle();
    expect(sent).toHaveLength(3);
    sent[2]!.land();
    await settle();
    expect(again.value?.folded).toBe(false);
  });
});
