import type { RunWide } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as RunWide;
  await state.__devServer?.stop();
  state.__workflowBundle?.dispose();
}
