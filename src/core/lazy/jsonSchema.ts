// Ajv (JSON Schema validation for `json` evaluators with a schema): a separate bundle, dist/json-schema.js (see load.ts).

export { default as Ajv } from 'ajv';
export { default as Ajv2020 } from 'ajv/dist/2020';
export { default as addFormats } from 'ajv-formats';
