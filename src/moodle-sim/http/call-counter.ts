/** Requests to the REST endpoint by `wsfunction`, failed ones included ('' when none was sent). */
export class CallCounter {
  private readonly counts = new Map<string, number>();

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

  byFunction(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}
