// Advisor actions as written in run records: `command:<id>`, `command:<id>|Label`, `[Label](command:<id>)`,
// optionally with `?<url-encoded JSON array of args>` after the id; anything else is plain text advice.
// Shared so the webview (button label) and the host (what to execute) read them the same way.

export interface ParsedAction {
  label: string;
  /** The VS Code command id, when the action names one. */
  command?: string;
  args?: unknown[];
}

const ID = /^[A-Za-z][\w.-]*$/;

function parseTarget(target: string): { command: string; args?: unknown[] } | undefined {
  const m = /^command:([^?\s|]+)(?:\?(\S*))?$/.exec(target.trim());
  if (!m || !ID.test(m[1])) return undefined;
  let args: unknown[] | undefined;
  if (m[2]) {
    try {
      const v: unknown = JSON.parse(decodeURIComponent(m[2]));
      args = Array.isArray(v) ? v : [v];
    } catch {
      return undefined;
    }
  }
  return { command: m[1], ...(args ? { args } : {}) };
}

/** "promptLadder.addRetrieval" → "Add retrieval". */
export function humanizeCommand(id: string): string {
  const last = id.split('.').pop() ?? id;
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').toLowerCase().trim();
  return words ? words[0].toUpperCase() + words.slice(1) : id;
}

export function parseAction(action: string): ParsedAction {
  const text = action.trim();
  const md = /^\[([^\]]+)\]\((command:[^)]+)\)$/.exec(text);
  if (md) {
    const t = parseTarget(md[2]);
    if (t) return { label: md[1].trim(), ...t };
  }
  if (text.startsWith('command:')) {
    const bar = text.indexOf('|');
    const target = bar >= 0 ? text.slice(0, bar) : text;
    const t = parseTarget(target);
    if (t) {
      const label = bar >= 0 ? text.slice(bar + 1).trim() : '';
      return { label: label || humanizeCommand(t.command), ...t };
    }
  }
  return { label: text };
}

/** Commands an advisor action may run: only this extension's own (a run record is a workspace file). */
export function isAllowedActionCommand(id: string): boolean {
  return /^promptLadder\.[\w.-]+$/.test(id);
}
