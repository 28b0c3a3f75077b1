// The confirmation VS Code shows before the `climb` Language Model tool spends anything: the budget, the
// estimate and where the cases go. An estimate-only call (no `confirmed`) makes no model call and asks nothing.

import * as vscode from 'vscode';
import { climbModule } from '../lazy';
import type { AgentToolHost } from '../../core/agent/tools';

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export async function climbConfirmation(input: Record<string, unknown>, host: () => AgentToolHost): Promise<vscode.PreparedToolInvocation> {
  const file = String(input.file ?? '');
  if (input.confirmed !== true) return { invocationMessage: `Estimating a climb of ${file}` };
  let plan = '';
  try {
    const { planClimb, toolHostOptions } = climbModule();
    const p = await planClimb(await toolHostOptions(host(), input));
    const money = p.unpriced.length ? `no price is known for ${p.unpriced.join(', ')}` : `the estimate is up to $${(p.estimate.usd ?? 0).toFixed(4)}`;
    plan = ` It may make up to ${p.estimate.calls} model calls (${money}) and sends the eval set's cases to ${escapeMd(p.provider)}.`;
  } catch {
    // the call reports what is wrong; the confirmation still asks
  }
  const budget = typeof input.budgetUsd === 'number' ? `$${input.budgetUsd}` : typeof input.maxCalls === 'number' ? `${input.maxCalls} calls` : 'no budget (the call will ask for one)';
  return {
    invocationMessage: `Climbing ${file}`,
    confirmationMessages: {
      title: 'Climb a prompt?',
      message: new vscode.MarkdownString(
        `Prompt Ladder will try the advisor's moves on **${escapeMd(file)}** and keep only what its validation cases confirm, within ${escapeMd(budget)}.${plan} The prompt file is not edited; the climb record goes to \`.promptladder/climbs/\`.`,
      ),
    },
  };
}
