import type { RefreshTarget } from '../../domain/moodle-events';
import type { StartedWorkflow } from '../../temporal/client';
import { refreshWorkflowId } from '../../temporal/workflow-ids';

type Send = (target: RefreshTarget, eventName: string) => Promise<StartedWorkflow>;

/** How an event reached its refresh. */
export interface Relayed {
  workflowId: string;
  /** Shared a signal with other events of the same target. */
  folded: boolean;
}

/** A signal not sent yet, which every event arriving before it goes shares. */
interface Queued {
  eventName: string;
  landed: Promise<void>;
}

interface Target {
  /** The last signal handed to Temporal, or queued behind it. */
  tail: Promise<void>;
  queued: Queued | null;
}

/**
 * At most one signal in flight per refresh target in this process. A class being graded sends an event
 * per student within a second or two; while one signal for the course is on its way to Temporal, the
 * events that follow share one more signal, sent as soon as that one lands. An event is answered only
 * once a signal sent after it arrived has landed, and fails with it: folding saves Temporal's load,
 * never an event (measured: bench/freshness-bench.ts).
 */
export class RefreshRelay {
  readonly #targets = new Map<string, Target>();

  constructor(private readonly send: Send) {}

  /** Resolves once a signal sent after this event has landed; rejects if that signal failed. */
  async relay(target: RefreshTarget, eventName: string): Promise<Relayed> {
    const workflowId = refreshWorkflowId(target);
    const known = this.#targets.get(workflowId);
    if (known?.queued) {
      known.queued.eventName = eventName;
      await known.queued.landed;
      return { workflowId, folded: true };
    }
    const state: Target = known ?? { tail: Promise.resolve(), queued: null };
    this.#targets.set(workflowId, state);
    const queued: Queued = { eventName, landed: Promise.resolve() };
    // Whatever became of the signal ahead, this one goes: it answers events that came after it.
    queued.landed = state.tail
      .catch(() => undefined)
      .then(async () => {
        // From here on, new events queue behind this signal rather than join it.
        if (state.queued === queued) state.queued = null;
        await this.send(target, queued.eventName);
      });
    state.queued = queued;
    state.tail = queued.landed;
    try {
      await queued.landed;
    } finally {
      if (state.tail === queued.landed && state.queued === null) this.#targets.delete(workflowId);
    }
    return { workflowId, folded: known !== undefined };
  }
}
