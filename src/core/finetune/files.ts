// The files of an export, named one way for the CLI and the editor: NAME.FORMAT.train.jsonl,
// NAME.FORMAT.validation.jsonl (when examples are held out) and, for local training, NAME.local.axolotl.yml.

import type { FineTuneExport } from './dataset';
import { axolotlConfig } from './formats/local';

export interface ExportFile {
  /** File name (no folder): the caller writes it beside the prompt file or into --out. */
  name: string;
  content: string;
  kind: 'train' | 'validation' | 'config';
}

export function exportFiles(result: Pick<FineTuneExport, 'format' | 'train' | 'validation' | 'counts'>, base: string, epochs: number): ExportFile[] {
  const train = `${base}.${result.format}.train.jsonl`;
  const validation = result.counts.validation > 0 ? `${base}.${result.format}.validation.jsonl` : undefined;
  const files: ExportFile[] = [{ name: train, content: result.train, kind: 'train' }];
  if (validation) files.push({ name: validation, content: result.validation, kind: 'validation' });
  if (result.format === 'local') {
    const outputName = `${base.replace(/[^A-Za-z0-9_.-]+/g, '-')}-lora`;
    files.push({ name: `${base}.local.axolotl.yml`, content: axolotlConfig({ train, ...(validation ? { validation } : {}), epochs, outputName }), kind: 'config' });
  }
  return files;
}

/** The training file's name for a base: NAME.FORMAT.train.jsonl. */
export function trainFileName(base: string, format: string): string {
  return `${base}.${format}.train.jsonl`;
}

/**
 * The base name of an export from the training file a user chose (a save dialog): `support.openai.train.jsonl` →
 * `support`, and any other name without its `.train.jsonl` / `.FORMAT` / `.jsonl` ending, so every file of the
 * export keeps the one naming scheme beside it.
 */
export function exportBaseOf(fileName: string, format: string): string {
  let base = fileName.replace(/\.train\.jsonl$/i, '').replace(/\.jsonl$/i, '');
  for (const f of [format, 'openai', 'vertex', 'bedrock', 'local']) {
    if (base.toLowerCase().endsWith(`.${f}`)) {
      base = base.slice(0, -(f.length + 1));
      break;
    }
  }
  return base || 'dataset';
}
