import { isSimulatedFunction, SIMULATED_FUNCTIONS } from '../function-names';

/** Capabilities of the token user whose loss the simulator models (docs/moodle.md §8). */
export const MODELLED_CAPABILITIES = [
  'moodle/course:viewhiddencourses',
  'moodle/course:viewparticipants',
  'moodle/grade:viewall',
  'moodle/grade:viewhidden',
] as const;

export type Capability = (typeof MODELLED_CAPABILITIES)[number];

/**
 * What a site admin configures around web services: the token, the external
 * service's functions, the token user's capabilities and the PHP settings
 * that change how answers look. A fresh site is configured the way the sync
 * needs it, so each test breaks just the one thing it is about.
 */
export class ServiceConfig {
  private tokenValid = true;
  private wsEnabled = true;
  private debuggingOn = true;
  private precision: 17 | -1 = -1;
  private readonly functions = new Set<string>(SIMULATED_FUNCTIONS);
  private readonly capabilities = new Set<Capability>(MODELLED_CAPABILITIES);

  revokeToken(): void {
    this.tokenValid = false;
  }

  restoreToken(): void {
    this.tokenValid = true;
  }

  get tokenIsValid(): boolean {
    return this.tokenValid;
  }

  /** Off: server.php answers HTTP 200 with an empty body. */
  setWebServicesEnabled(enabled: boolean): void {
    this.wsEnabled = enabled;
  }

  get webServicesEnabled(): boolean {
    return this.wsEnabled;
  }

  /** Takes a function out of the token's service: site info stops listing it, calls get accessexception. */
  removeFunction(name: string): void {
    this.functions.delete(name);
  }

  addFunction(name: string): void {
    if (!isSimulatedFunction(name)) throw new Error(`the simulator does not implement ${name}`);
    this.functions.add(name);
  }

  serviceFunctions(): string[] {
    return [...this.functions].sort();
  }

  isFunctionInService(name: string): boolean {
    return this.functions.has(name);
  }

  removeCapability(capability: Capability): void {
    requireModelled(capability);
    this.capabilities.delete(capability);
  }

  addCapability(capability: Capability): void {
    requireModelled(capability);
    this.capabilities.add(capability);
  }

  hasCapability(capability: Capability): boolean {
    return this.capabilities.has(capability);
  }

  /**
   * Site debugging ≥ NORMAL: error bodies carry `debuginfo` (default on, like
   * the example responses in test/fixtures/moodle).
   */
  setDebugging(on: boolean): void {
    this.debuggingOn = on;
  }

  get debugging(): boolean {
    return this.debuggingOn;
  }

  /**
   * PHP's serialize_precision: 17 (php.ini files older than PHP 7.1) makes
   * json_encode print floats such as weights as 0.33333000000000002.
   */
  setSerializePrecision(precision: 17 | -1): void {
    this.precision = precision;
  }

  get serializePrecision(): 17 | -1 {
    return this.precision;
  }
}

/** The type rules out typos only where it reaches; a cast or plain JavaScript must not silently do nothing. */
function requireModelled(capability: string): void {
  if (!(MODELLED_CAPABILITIES as readonly string[]).includes(capability)) {
    throw new Error(`capability ${capability} is not modelled; known: ${MODELLED_CAPABILITIES.join(', ')}`);
  }
}
