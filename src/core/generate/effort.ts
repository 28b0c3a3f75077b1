// How deep test-case generation probes at each effort level (after gh models generate's effort table, scaled to
// eval sets people review). No imports: the CLI's argument parsing reads it without loading the engine.

export type Effort = 'low' | 'medium' | 'high';
export const EFFORTS: readonly Effort[] = ['low', 'medium', 'high'];

export interface EffortPlan {
  maxRules: number;
  inverse: boolean;
  testsPerRule: number;
  /** Rule entries (rules and inverse rules) per test-generation call. */
  rulesPerCall: number;
  happy: number;
  edge: number;
}

export const EFFORT_PLANS: Readonly<Record<Effort, EffortPlan>> = {
  low: { maxRules: 5, inverse: false, testsPerRule: 1, rulesPerCall: 5, happy: 2, edge: 2 },
  medium: { maxRules: 8, inverse: true, testsPerRule: 1, rulesPerCall: 4, happy: 3, edge: 3 },
  high: { maxRules: 15, inverse: true, testsPerRule: 2, rulesPerCall: 3, happy: 4, edge: 4 },
};
