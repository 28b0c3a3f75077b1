// Local training on an open model: the chat `messages` JSONL that Hugging Face TRL (SFTTrainer's
// conversational format) and axolotl (`type: chat_template`) read, plus a ready axolotl config that trains a
// LoRA adapter on it (`axolotl train NAME.local.axolotl.yml`). The finished model is served by Ollama or vLLM
// and becomes a variant through an `ollama/…` model or an OpenAI-compatible profile.
//   https://huggingface.co/docs/trl/sft_trainer (conversational dataset: {"messages": [{"role","content"}…]})
//   https://docs.axolotl.ai/docs/dataset-formats/conversation.html (chat_template, field_messages)
//   https://docs.axolotl.ai/docs/config-reference.html

import { stringify } from 'yaml';
import { checkChat, encodeChat } from './openaiChat';
import type { FineTuneFormat } from './format';

/** An instruct model small enough for one consumer GPU; the config names it so the user can change it. */
export const DEFAULT_LOCAL_BASE_MODEL = 'Qwen/Qwen2.5-1.5B-Instruct';

export const local: FineTuneFormat = {
  name: 'local',
  title: 'Local training: chat messages JSONL + an axolotl LoRA config (also read by TRL)',
  platforms: ['Hugging Face TRL', 'axolotl', 'Unsloth'],
  docs: ['https://huggingface.co/docs/trl/sft_trainer', 'https://docs.axolotl.ai/docs/dataset-formats/conversation.html'],
  encode: encodeChat,
  check: checkChat,
};

export interface AxolotlConfigInput {
  /** File names of the JSONL files, relative to the config (they are written beside it). */
  train: string;
  validation?: string;
  baseModel?: string;
  epochs: number;
  /** Output folder name of the adapter. */
  outputName: string;
}

/** The axolotl YAML: LoRA on the chat messages, loss on the assistant turns only. */
export function axolotlConfig(i: AxolotlConfigInput): string {
  const dataset = (path: string) => ({ path, ds_type: 'json', type: 'chat_template', field_messages: 'messages', roles_to_train: ['assistant'] });
  const config = {
    base_model: i.baseModel ?? DEFAULT_LOCAL_BASE_MODEL,
    chat_template: 'tokenizer_default',
    datasets: [dataset(i.train)],
    ...(i.validation ? { test_datasets: [{ ...dataset(i.validation), split: 'train' }] } : { val_set_size: 0 }),
    adapter: 'lora',
    lora_r: 16,
    lora_alpha: 32,
    lora_dropout: 0.05,
    lora_target_linear: true,
    sequence_len: 2048,
    micro_batch_size: 2,
    gradient_accumulation_steps: 4,
    num_epochs: i.epochs,
    learning_rate: 0.0002,
    optimizer: 'adamw_torch',
    lr_scheduler: 'cosine',
    warmup_ratio: 0.1,
    bf16: 'auto',
    output_dir: `./outputs/${i.outputName}`,
  };
  return `# axolotl train this-file.yml — LoRA fine-tuning on the exported conversations (written by prompt-ladder).\n${stringify(config)}`;
}
