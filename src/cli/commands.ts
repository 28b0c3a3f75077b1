// The CLI's commands, bundled apart from src/cli/main.ts (dist/cli-commands.js) and loaded only when a
// command runs, so `prompt-ladder --help` and usage errors do not parse the engine, openai, zod and yaml.

export { evalCommand } from './evalCommand';
export { finetuneCommand } from './finetuneCommand';
export { generateCommand } from './generateCommand';
export { climbArgs, climbCommand } from './climbCommand';
