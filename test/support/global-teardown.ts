import type { RunWide } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as RunWide;
  try {
    await state.__devServer?.stop();
  } finally {
    state.__workflowBundle?.dispose();
  }
}
