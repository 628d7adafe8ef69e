import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { CommandStartedEvent, MongoClient } from 'mongodb';

/**
 * One CLIENT span per database command, a child of the span it was sent under (an activity's, a
 * workflow start's), from the driver's command monitoring. The standard instrumentation
 * (@opentelemetry/instrumentation-mongodb) of the OpenTelemetry 1.x line stops at mongodb 6, and it
 * patches the driver only if it is loaded first, which the CLI's imports rule out. Names and
 * attributes are that instrumentation's, so dashboards survive a switch to it.
 *
 * Commands sent outside any span (index checks at start, the API's reads) make no trace of their
 * own. Attributes name the command and its collection, never its documents: they carry students'
 * grades.
 */
export function traceDatabaseCommands(client: MongoClient, tracer: Tracer): void {
  // The driver numbers requests across the process, so the id pairs a reply with its command.
  const open = new Map<number, Span>();
  client.on('commandStarted', (event) => {
    const parent = context.active();
    if (trace.getSpan(parent) === undefined) return;
    open.set(
      event.requestId,
      tracer.startSpan(
        `mongodb.${event.commandName}`,
        { kind: SpanKind.CLIENT, attributes: commandAttributes(event) },
        parent,
      ),
    );
  });
  client.on('commandSucceeded', (event) => {
    open.get(event.requestId)?.end();
    open.delete(event.requestId);
  });
  client.on('commandFailed', (event) => {
    const span = open.get(event.requestId);
    open.delete(event.requestId);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: event.failure.message });
    span?.end();
  });
}

function commandAttributes(event: CommandStartedEvent) {
  // `{ find: 'courses', … }`: the command's own field names its collection; a `getMore` has a cursor id there.
  const target: unknown = event.command[event.commandName];
  const collection = typeof target === 'string' ? target : event.command.collection;
  const port = /:(\d+)$/.exec(event.address);
  return {
    'db.system': 'mongodb',
    'db.name': event.databaseName,
    'db.operation': event.commandName,
    ...(typeof collection === 'string' && { 'db.mongodb.collection': collection }),
    'net.peer.name': port ? event.address.slice(0, port.index) : event.address,
    ...(port && { 'net.peer.port': Number(port[1]) }),
  };
}
