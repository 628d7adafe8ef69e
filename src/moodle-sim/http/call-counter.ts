/**
 * Requests to the REST endpoint by `wsfunction`, failed ones included ('' when
 * none was sent), and their simulated latency.
 */
export class CallCounter {
  private readonly counts = new Map<string, number>();
  private latency = 0;

  record(wsfunction: string): void {
    this.counts.set(wsfunction, this.get(wsfunction) + 1);
  }

  get(wsfunction: string): number {
    return this.counts.get(wsfunction) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** Adds the latency the fault settings gave one answer. */
  recordLatency(ms: number): void {
    this.latency += ms;
  }

  /** Simulated server time of every answer so far, the floor of what a client waits for in total. */
  latencyMs(): number {
    return this.latency;
  }

  byFunction(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
    this.latency = 0;
  }
}
