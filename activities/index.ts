import { createPingActivities, type PingDeps } from './ping';

export type ActivityDeps = PingDeps;

/** Every activity the worker registers, built once from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
