import { Agent, request, type Dispatcher } from 'undici';

export interface DeliveryOptions {
  /** POSTs in flight at once. Default 8. */
  concurrency?: number;
  /** Each POST, answer included, is abandoned (counted failed) after this. Default 5 s. */
  timeoutMs?: number;
}

/** What became of the POSTs handed over so far. Once `settled`, emitted = delivered + refused + failed. */
export interface DeliveryCounts {
  emitted: number;
  /** Answered 2xx. */
  delivered: number;
  /** Answered with another status: how many times each (`{"401": 3}`). */
  refused: Record<string, number>;
  /** No answer: refused connection, reset, timeout, dropped when the simulator closed, or never made. */
  failed: number;
}

interface Post {
  url: string;
  body: string;
}

/**
 * Sends webhook POSTs the way Moodle's local_webhooks plugin does (one try, no retry), but never in
 * the way of the change that caused them: `send` only queues, and at most `concurrency` POSTs run at
 * once in the background. A slow or dead receiver therefore delays only the events, and a burst of
 * changes (a benchmark regrading a course) waits in the queue. With several in flight, events can
 * arrive out of order, which a receiver of real Moodle events must cope with anyway.
 */
export class WebhookDelivery {
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  /**
   * Its own connections, so that closing the simulator ends them without touching anyone else's. Not
   * limited: the queue is, so that a POST's timeout starts when it is sent, not while it waits its turn.
   */
  readonly #agent = new Agent();
  readonly #queue: Post[] = [];
  readonly #counts: DeliveryCounts = { emitted: 0, delivered: 0, refused: {}, failed: 0 };
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: DeliveryOptions = {}) {
    this.#concurrency = options.concurrency ?? 8;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  send(url: string, body: string): void {
    this.#counts.emitted += 1;
    this.#queue.push({ url, body });
    this.#startNext();
  }

  /** An event that could not even be made: emitted and failed at once, so that the counts still add up. */
  lose(): void {
    this.#counts.emitted += 1;
    this.#counts.failed += 1;
  }

  counts(): DeliveryCounts {
    return { ...this.#counts, refused: { ...this.#counts.refused } };
  }

  /** Resolves once every POST handed over so far has its outcome. */
  settled(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Drops what is queued and aborts what is in flight (both counted failed), then closes the connections. */
  async close(): Promise<void> {
    this.#counts.failed += this.#queue.length;
    this.#queue.length = 0;
    if (!this.#agent.destroyed) await this.#agent.destroy();
    await this.settled();
  }

  #startNext(): void {
    while (this.#inFlight < this.#concurrency && this.#queue.length > 0) {
      const post = this.#queue.shift() as Post;
      this.#inFlight += 1;
      void this.#post(post).finally(() => {
        this.#inFlight -= 1;
        this.#startNext();
        if (this.#isIdle()) this.#wakeIdleWaiters();
      });
    }
  }

  /** Counts the outcome; never rejects. */
  async #post({ url, body }: Post): Promise<void> {
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch {
      this.#counts.failed += 1;
      return;
    }
    const { statusCode } = answer;
    if (statusCode >= 200 && statusCode < 300) this.#counts.delivered += 1;
    else this.#counts.refused[statusCode] = (this.#counts.refused[statusCode] ?? 0) + 1;
    // The status is the outcome; the body is read only so that the connection can serve the next POST, and
    // what it says is not kept (nor is it by Moodle). A body cut off by the timeout changes nothing.
    await answer.body.dump().catch(() => undefined);
  }

  #isIdle(): boolean {
    return this.#inFlight === 0 && this.#queue.length === 0;
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
