import type { SiteChange, SiteModel } from '../site';
import { WebhookDelivery, type DeliveryCounts, type DeliveryOptions } from './delivery';
import { moodleEventFor, newEventRowIds, type MoodleEvent } from './moodle-event';

/** Where events go, as a local_webhooks subscription says: the receiver's URL and its shared secret. */
export interface WebhookTarget {
  url: string;
  /** Sent in every body as `token`, as the plugin does; never logged. */
  secret: string;
}

/** The body of one POST: the event's data and the three fields local_webhooks adds. */
export interface WebhookBody extends MoodleEvent {
  /** The host name of the site's URL (Moodle's wwwroot). */
  host: string;
  token: string;
  /** The subscription's free "other" field; empty here. */
  extra: string;
}

export interface EventStats extends DeliveryCounts {
  enabled: boolean;
}

/** A target the simulator cannot send to. */
export class WebhookTargetError extends Error {
  override readonly name = 'WebhookTargetError';
}

export interface SimulatorEventsOptions extends DeliveryOptions {
  /** Read when an event is made: the simulator knows its URL only once it listens. */
  host: () => string;
  /** None: no events until `configure`. */
  target?: WebhookTarget;
}

/**
 * The site's local_webhooks plugin: each change of the model becomes the event Moodle fires for it
 * (moodle-event.ts), POSTed to the target in the background (delivery.ts). The event is made when the
 * change is, so it tells the state of that moment even if it is sent later. Switched off, changes
 * happen silently, as on a site whose plugin is disabled or whose events are lost: what the freshness
 * benchmark measures the scheduled syncs against.
 */
export class SimulatorEvents {
  readonly #site: SiteModel;
  readonly #host: () => string;
  readonly #delivery: WebhookDelivery;
  readonly #rows = newEventRowIds();
  readonly #stopListening: () => void;
  #target: WebhookTarget | undefined;
  #enabled = true;

  constructor(site: SiteModel, options: SimulatorEventsOptions) {
    this.#site = site;
    this.#host = options.host;
    this.#delivery = new WebhookDelivery(options);
    if (options.target) this.configure(options.target);
    this.#stopListening = site.onChange((change) => this.#emit(change));
  }

  /** Sends the events of changes from now on to `target` (queued ones still go where they were meant to). */
  configure(target: WebhookTarget): void {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new WebhookTargetError(`events URL "${target.url}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WebhookTargetError(`events URL "${target.url}" is not http(s)`);
    }
    if (target.secret === '') throw new WebhookTargetError('the events secret is empty');
    this.#target = { url: url.href, secret: target.secret };
  }

  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
  }

  stats(): EventStats {
    return { enabled: this.#enabled, ...this.#delivery.counts() };
  }

  /** Resolves once every event emitted so far was delivered, refused or given up. */
  settled(): Promise<void> {
    return this.#delivery.settled();
  }

  /** No more events; what is queued or in flight is dropped (counted failed). */
  async close(): Promise<void> {
    this.#stopListening();
    await this.#delivery.close();
  }

  #emit(change: SiteChange): void {
    if (!this.#enabled || !this.#target) return;
    const { url, secret } = this.#target;
    let body: WebhookBody;
    try {
      body = { ...moodleEventFor(change, this.#site, this.#rows), host: this.#host(), token: secret, extra: '' };
    } catch {
      // The change is made and its caller must not fail for its event: the event is lost, and counted so.
      this.#delivery.lose();
      return;
    }
    this.#delivery.send(url, JSON.stringify(body));
  }
}
