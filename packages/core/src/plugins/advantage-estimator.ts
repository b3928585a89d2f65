/**
 * Minimal local shape of an advantage strategy as the plugin driver needs it (a name). The full type lives with
 * the advantage estimators (`packages/core/src/advantages`); this one is structurally compatible with it.
 */
export interface AdvantageEstimatorDefinition {
  readonly name: string;
  readonly description?: string;
}
