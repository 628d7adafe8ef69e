import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.smsSyncTestServices;
  if (!state) return;
  await state.services.stop();
  rmSync(state.bundleDir, { recursive: true, force: true });
  state.removeSignalHandlers();
  globalThis.smsSyncTestServices = undefined;
}
