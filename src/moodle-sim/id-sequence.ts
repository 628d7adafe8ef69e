/** Hands out ids like an auto-increment column; explicit ids (demo data) move the counter past them. */
export class IdSequence {
  private next: number;

  constructor(first: number) {
    this.next = first;
  }

  take(explicit?: number): number {
    if (explicit === undefined) return this.next++;
    this.next = Math.max(this.next, explicit + 1);
    return explicit;
  }
}
