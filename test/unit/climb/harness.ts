// The climb scenarios' harness: a project on disk, the scripted server with the scenario's rules and a ledger,
// a climb over real HTTP, and the dollars the server itself billed (its own token counts, per model and way).

import { readFileSync } from 'node:fs';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../../fixtures/scripted-server';
import { Ledger, ladderRules, tempProject, writeLadder, type LadderOptions } from '../../fixtures/climbScenarios';
import { climb, type ClimbEvent } from '../../../src/core/climb/loop';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import { estimateCostUsd } from '../../../src/core/providers/pricing';

export interface ScenarioContext {
  server: ScriptedServer;
  ledger: Ledger;
  file: string;
  root: string;
  climbWith: (extra?: Partial<Parameters<typeof climb>[0]>) => ReturnType<typeof climb>;
  events: ClimbEvent[];
}

export async function scenario(o: LadderOptions, run: (ctx: ScenarioContext) => Promise<void>, server: Omit<ScriptedServerOptions, 'rules'> = {}): Promise<void> {
  const project = tempProject();
  const ledger = new Ledger();
  const s = await startScriptedServer({ ...server, rules: ladderRules(o, ledger) });
  const file = writeLadder(project.root, o);
  const events: ClimbEvent[] = [];
  const climbWith = (extra: Partial<Parameters<typeof climb>[0]> = {}) =>
    climb({ file, text: readFileSync(file, 'utf8'), root: project.root, providers: createEnvResolver({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: s.url }), onEvent: (e) => events.push(e), ...extra });
  try {
    await run({ server: s, ledger, file, root: project.root, climbWith, events });
  } finally {
    await s.close();
    project.dispose();
  }
}

/** Dollars of what the server answered, from its own token counts: each model at its price, batch lines at the batch rate. */
export function serverUsd(server: ScriptedServer): number {
  let usd = 0;
  for (const [key, t] of Object.entries(server.stats.billed)) {
    const [model, way] = key.split(' ');
    usd += estimateCostUsd(`openai/${model}`, t, way === 'batch' ? { batch: true } : undefined);
  }
  return usd;
}

/** The moves a climb kept, in order. */
export const kept = (r: { steps: { kept: boolean; move: { action: string } }[] }) => r.steps.filter((s) => s.kept).map((s) => s.move.action);
