/** Every setting of the executor, defined once (table.ts), read by the loaders (load.ts), shown by docs.ts. */
export { envVarsHelp, settingsMarkdownTable } from './docs';
export type { PollerSetting } from './parsers';
export { loadExecutorConfig, loadRuntimeConfig, type ExecutorConfig, type RuntimeConfig } from './load';
export {
  ALL_SETTINGS,
  EXECUTOR_SETTINGS,
  RUNTIME_SETTINGS,
  defaultText,
  isRequired,
  type SettingGroup,
} from './table';
