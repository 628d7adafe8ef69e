import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';

/** Finished spans read as a tree: by id, each one's path from the root, its children. */
export class SpanTree {
  readonly #byId = new Map<string, ReadableSpan>();

  constructor(readonly spans: readonly ReadableSpan[]) {
    for (const span of spans) this.#byId.set(span.spanContext().spanId, span);
  }

  named(name: string): ReadableSpan[] {
    return this.spans.filter((span) => span.name === name);
  }

  /** The one span of that name; a clear failure otherwise. */
  only(name: string): ReadableSpan {
    const [span, ...others] = this.named(name);
    if (span === undefined || others.length > 0) {
      const names = [...new Set(this.spans.map((candidate) => candidate.name))].join(', ');
      throw new Error(`expected one span named ${name}, found ${this.named(name).length} among: ${names}`);
    }
    return span;
  }

  children(parent: ReadableSpan): ReadableSpan[] {
    return this.spans.filter((span) => span.parentSpanId === parent.spanContext().spanId);
  }

  /** The names from the root down to `span`; a parent missing from the tree ends the path with `?`. */
  path(span: ReadableSpan): string[] {
    const names = [span.name];
    for (let parentId = span.parentSpanId; parentId !== undefined;) {
      const parent = this.#byId.get(parentId);
      if (parent === undefined) return ['?', ...names];
      names.unshift(parent.name);
      parentId = parent.parentSpanId;
    }
    return names;
  }

  /** Every string a span carries to the collector: attributes, events, status and resource. */
  texts(): string[] {
    return this.spans.flatMap((span) => [
      span.name,
      JSON.stringify(span.attributes),
      JSON.stringify(span.events),
      span.status.message ?? '',
      JSON.stringify(span.resource.attributes),
    ]);
  }
}
