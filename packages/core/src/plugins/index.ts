// Plugins: hook types, the plugin driver, strategy registries.
export * from "./types.js";
export {
  PluginDriver,
  PluginHookError,
  type HookCall,
  type PlannedRollout,
  type PluginDriverOptions,
} from "./driver.js";
export { StrategyRegistry, type StrategyKind } from "./strategy-registry.js";
export { deepFreeze } from "./deep-freeze.js";
