/**
 * Submits in flight at once from one client, the TypeScript client's and the Python executor's
 * (names.json carries it to Python). 256, not 64: with the worker launching beside them on a
 * shared server, 64 in flight got 313 submits/s and 256 got 610, at the same launch rate
 * (docs/design.md, the ninth session's measurements).
 */
export const SUBMIT_CONCURRENCY = 256;
