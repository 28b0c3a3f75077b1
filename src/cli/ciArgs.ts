// Parses the CI gate's options of `prompt-ladder eval` (--baseline, --fail-on, --min-pass-rate, --alpha, --md);
// ./ciGate.ts acts on them.

import { UsageError } from './usage';
import { FAIL_ON, type FailOn } from '../core/analysis/gate';
import type { CiArgs } from './ciGate';

function share(name: string, value: string | undefined, max = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0 && n <= max) && !(name === 'min-pass-rate' && n === 0)) throw new UsageError(`--${name} needs a number from 0 to ${max}, got "${value}"`);
  return n;
}

/** --baseline, --fail-on, --min-pass-rate, --alpha and --md (src/cli/ciGate.ts). */
export function ciArgs(values: Record<string, string | boolean | string[] | undefined>): CiArgs {
  const failOn = values['fail-on'] as string | undefined;
  if (failOn !== undefined && !FAIL_ON.includes(failOn as FailOn)) throw new UsageError(`--fail-on must be ${FAIL_ON.join(', ')}, got "${failOn}"`);
  const minPassRate = share('min-pass-rate', values['min-pass-rate'] as string | undefined);
  const alpha = share('alpha', values.alpha as string | undefined, 0.5);
  return {
    ...(typeof values.baseline === 'string' ? { baseline: values.baseline } : {}),
    ...(failOn ? { failOn: failOn as FailOn } : {}),
    ...(minPassRate !== undefined ? { minPassRate } : {}),
    ...(alpha !== undefined ? { alpha } : {}),
    ...(typeof values.md === 'string' ? { md: values.md } : {}),
  };
}
