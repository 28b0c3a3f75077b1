// The model section of a .prompty file: v1 {api, configuration, parameters}, v2 {id, provider, connection,
// options} or a plain string, read into a model reference and our model parameters, with its problems.

import * as path from 'node:path';
import type { ModelParameters } from './spec';
import { describeValue } from './issues';
import type { YamlSource } from './source';
import { isMap, type Collector } from './common';

function camel(k: string): string {
  return k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Prompty parameter names (snake_case; v2 `maxOutputTokens`) → ours (camelCase, gh names). */
function mapParameters(p: Record<string, unknown>): ModelParameters {
  const out: ModelParameters = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || v === null) continue;
    const c = camel(k);
    if (c === 'maxOutputTokens' || c === 'maxCompletionTokens') out.maxTokens = v as number;
    else out[c] = v;
  }
  return out;
}

/** A model reference from Prompty's model section: azure → `azure/<deployment>`, openai → `openai/<name>`. */
function modelRef(model: unknown): string | undefined {
  if (typeof model === 'string') return model || undefined;
  if (!isMap(model)) return undefined;
  const conf = isMap(model.configuration) ? model.configuration : isMap(model.connection) ? model.connection : {};
  const type = String(model.provider ?? conf.type ?? '').toLowerCase();
  const name = [model.id, conf.azure_deployment, conf.name, conf.model, conf.deployment].find((v) => typeof v === 'string' && v && !v.includes('<'));
  if (typeof name !== 'string') return undefined;
  if (name.includes('/')) return name;
  if (type === 'azure_openai' || type === 'azure' || type === 'azureopenai') return `azure/${name}`;
  if (type === 'openai') return `openai/${name}`;
  return name;
}

/** The `model.configuration.type` values Prompty's runtimes know (lower-cased). */
const PROMPTY_CONFIGURATION_TYPES = ['azure_openai', 'azure', 'openai', 'serverless', 'azure_serverless'];

export interface PromptyModel {
  model: string | undefined;
  modelHint: string | undefined;
  modelParameters: ModelParameters;
}

/** model: v1 {api, configuration, parameters}; v2 {id, provider, connection, options}; or a plain string. */
export function modelOf(c: Collector, obj: Record<string, unknown>, src: YamlSource, file: string, hasFrontMatter: boolean): PromptyModel {
  if (obj.model !== undefined && obj.model !== null && typeof obj.model !== 'string' && !isMap(obj.model)) {
    c.add({ path: ['model'], message: `expected a map (configuration, parameters) or a model name, got ${describeValue(obj.model)}` });
  }
  const model = modelRef(obj.model);
  if (!isMap(obj.model)) {
    const modelHint = model !== undefined
      ? undefined
      : hasFrontMatter
        ? `${path.basename(file)}:1: the front matter has no model section`
        : `${path.basename(file)}:1: the file has no front matter (a --- block with model:), so it names no model`;
    return { model, modelHint, modelParameters: {} };
  }
  const modelHint = checkConnection(c, obj.model, model, src, file);
  return { model, modelHint, modelParameters: parametersOf(c, obj.model) };
}

/** Checks model.configuration (v1) or model.connection (v2); says why no model is named when none is. */
function checkConnection(c: Collector, m: Record<string, unknown>, model: string | undefined, src: YamlSource, file: string): string | undefined {
  const confKey = m.configuration !== undefined ? 'configuration' : m.connection !== undefined ? 'connection' : undefined;
  const conf = confKey ? m[confKey] : undefined;
  if (confKey && conf !== null && !isMap(conf) && !(typeof conf === 'string' && conf.trim().startsWith('${'))) {
    c.add({ path: ['model', confKey], message: `expected a map (type, azure_deployment or name, …), got ${describeValue(conf)}` });
  } else if (confKey && isMap(conf) && conf.type !== undefined) {
    const type = String(conf.type).toLowerCase();
    if (!PROMPTY_CONFIGURATION_TYPES.includes(type)) {
      c.add({
        path: ['model', confKey, 'type'],
        message: `unknown configuration type "${String(conf.type)}" (Prompty's: ${PROMPTY_CONFIGURATION_TYPES.join(', ')}); the model is called through the default provider`,
        severity: 'warning',
      });
    }
  }
  if (model !== undefined) return undefined;
  const at = src.keyRange(confKey && isMap(conf) ? ['model', confKey] : ['model']).line;
  return confKey && isMap(conf)
    ? `${path.basename(file)}:${at}: model.${confKey} names no deployment or model (azure_deployment for type azure_openai, name for openai)`
    : `${path.basename(file)}:${at}: the model section names no model (id, or configuration with azure_deployment / name)`;
}

/** model.parameters (v1) and model.options (v2), merged; the numeric ones checked. */
function parametersOf(c: Collector, m: Record<string, unknown>): ModelParameters {
  let modelParameters: ModelParameters = {};
  for (const key of ['parameters', 'options'] as const) {
    const p = m[key];
    if (p === undefined || p === null) continue;
    if (!isMap(p)) c.add({ path: ['model', key], message: `expected a map, got ${describeValue(p)}` });
    else modelParameters = { ...modelParameters, ...mapParameters(p) };
  }
  for (const k of ['maxTokens', 'temperature', 'topP'] as const) {
    const v = modelParameters[k];
    if (v !== undefined && typeof v !== 'number') {
      const key = isMap(m.options) ? 'options' : 'parameters';
      c.add({ path: ['model', key], message: `${k}: expected a number, got ${describeValue(v)}` });
    }
  }
  return modelParameters;
}
