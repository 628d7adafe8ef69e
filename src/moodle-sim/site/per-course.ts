/**
 * One part of the model's state, kept per course. Asking for a course that
 * was never added is a mistake in the test, so it throws a plain Error; what
 * Moodle answers for unknown courses is the web-service functions' business.
 */
export class PerCourse<T> {
  private readonly byId = new Map<number, T>();

  add(courseId: number, value: T): void {
    this.byId.set(courseId, value);
  }

  has(courseId: number): boolean {
    return this.byId.has(courseId);
  }

  of(courseId: number): T {
    const value = this.byId.get(courseId);
    if (value === undefined) throw new Error(`no course ${courseId} on this site`);
    return value;
  }

  values(): IterableIterator<T> {
    return this.byId.values();
  }
}
