// The export formats by name, and the platform names accepted as aliases of the format they read
// (`--format mistral` writes the OpenAI-style chat file that Mistral accepts as is).

import type { FineTuneFormat, FormatName } from './format';
import { openaiChat } from './openaiChat';
import { vertex } from './vertex';
import { bedrock } from './bedrock';
import { local } from './local';

export const FORMATS: Readonly<Record<FormatName, FineTuneFormat>> = { openai: openaiChat, vertex, bedrock, local };
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

const ALIASES: Readonly<Record<string, FormatName>> = {
  azure: 'openai',
  mistral: 'openai',
  together: 'openai',
  fireworks: 'openai',
  gemini: 'vertex',
  trl: 'local',
  axolotl: 'local',
  unsloth: 'local',
};

/** The format a name or platform alias means, or undefined. */
export function formatByName(name: string): FineTuneFormat | undefined {
  const key = name.trim().toLowerCase();
  const canonical = (FORMAT_NAMES as string[]).includes(key) ? (key as FormatName) : ALIASES[key];
  return canonical ? FORMATS[canonical] : undefined;
}

/** "openai (also azure, mistral, together, fireworks), vertex, bedrock, local" — for help and errors. */
export function formatChoices(): string {
  return FORMAT_NAMES.map((n) => {
    const aliases = Object.keys(ALIASES).filter((a) => ALIASES[a] === n);
    return aliases.length ? `${n} (or ${aliases.join(', ')})` : n;
  }).join(', ');
}
