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
