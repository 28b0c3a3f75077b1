// Problems found while validating a prompt file or an eval set, before they get a file position:
// a path into the parsed value plus a human message. Also turns zod issues into such messages.

import type * as z from 'zod';
import { closestName } from '../text/editDistance';

export type IssuePath = (string | number)[];

export interface Issue {
  path: IssuePath;
  message: string;
  severity?: 'error' | 'warning';
  /** Point at the key of the last path element rather than its value (unknown keys). */
  atKey?: boolean;
  /** A likely intended text for the problem's range (a misspelt key's known spelling): the editor offers it as a quick fix. */
  replacement?: string;
}

/** `testData[3].vars`, `modelParameters.temperature`. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

/** A short description of a value for messages: strings quoted, lists and maps named. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  int: 'an integer',
  record: 'a map',
};

/** Prefix a message with its path (`a.b: message`), or leave it as is at the root. */
export function withPath(path: IssuePath, message: string): string {
  const p = formatPath(path);
  return p ? `${p}: ${message}` : message;
}

/** Human messages for zod issues (parse with `{ reportInput: true }` so the offending value can be quoted). */
export function zodIssues(error: z.ZodError, base: IssuePath = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...(issue.path as IssuePath)];
    const input = (issue as { input?: unknown }).input;
    let message: string;
    switch (issue.code) {
      case 'invalid_type': {
        const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
        message = input === undefined ? `required (expected ${expected})` : `expected ${expected}, got ${describeValue(input)}`;
        break;
      }
      case 'invalid_value':
        message = `expected one of ${issue.values.map((v) => String(v)).join(', ')}, got ${describeValue(input)}`;
        break;
      case 'too_small':
        if (issue.origin === 'array') message = issue.minimum === 1 ? 'must not be empty' : `needs at least ${issue.minimum} items`;
        else if (issue.origin === 'string') message = 'must not be empty';
        else message = `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}, got ${describeValue(input)}`;
        break;
      case 'too_big':
        message = `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${describeValue(input)}`;
        break;
      case 'invalid_union':
        message = `unexpected value ${describeValue(input)}`;
        break;
      default:
        message = issue.message;
    }
    out.push({ path, message });
  }
  return out;
}

/** "unknown key "testFlie"; did you mean "testFile"?" — the suggestion also becomes the editor's quick fix. */
export function unknownKeyIssue(path: IssuePath, key: string, known: readonly string[], what = 'key'): Issue {
  const suggestion = closestName(key, known);
  return suggestion
    ? { path, message: `unknown ${what} "${key}"; did you mean "${suggestion}"? (ignored)`, severity: 'warning', atKey: true, replacement: suggestion }
    : { path, message: `unknown ${what} "${key}"; ignored`, severity: 'warning', atKey: true };
}
