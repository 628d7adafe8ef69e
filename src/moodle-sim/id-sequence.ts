/** Hands out ids like an auto-increment column; explicit ids (demo data) move the counter past them. */
export class IdSequence {
  private next: number;

  constructor(first: number) {
    this.next = first;
  }

  take(explicit?: number): number {
    if (explicit === undefined) return this.next++;
    this.skipPast(explicit);
    return explicit;
  }

  /** Ids up to `id` are never handed out (as if rows with them had existed). */
  skipPast(id: number): void {
    this.next = Math.max(this.next, id + 1);
  }
}
