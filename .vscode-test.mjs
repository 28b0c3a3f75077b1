// @vscode/test-cli configuration: the same integration suite as `npm run test:integration` (which runs it
// offline in code-server), here in a downloaded VS Code via @vscode/test-electron (`npm run test:integration:electron`).
// The suite finds the scripted model server through PL_SCRIPTED_URL, or starts one in-process when unset.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'integration',
  files: 'out/integration/index.js',
  version: '1.100.3',
  workspaceFolder: './test/integration/workspace',
  mocha: { ui: 'bdd', timeout: 60000 },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
});
