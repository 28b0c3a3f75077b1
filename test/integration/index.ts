// Entry of the integration suite, bundled to out/integration/index.js. It runs inside VS Code's extension host:
// - code-server offline (scripts/run-integration.mjs) and @vscode/test-electron call `run()`, which makes a mocha
//   instance, defines its globals and registers the tests;
// - @vscode/test-cli (.vscode-test.mjs) loads this file into its own mocha, with the globals already defined,
//   so the tests register at load time.
import Mocha from 'mocha';
import { registerActivationTests } from './activation.test';
import { registerAdvisorCommandTests } from './advisorCommands.test';
import { registerBatchTests } from './batch.test';
import { registerCancelTests } from './cancel.test';
import { registerCommandTests } from './commands.test';
import { registerDemoTests } from './demo.test';
import { registerProblemNoticeTests } from './problemNotice.test';
import { registerDiagnosticsTests } from './diagnostics.test';
import { registerFirstLensTests } from './firstLens.test';
import { registerPromptFileTests } from './promptFiles.test';
import { registerFineTuneTests } from './fineTune.test';
import { registerGenerateTests } from './generate.test';
import { registerPanelTests } from './panel.test';
import { registerPartialRunTests } from './partialRuns.test';
import { registerRunTests } from './run.test';
import { registerTestingTests } from './testing.test';
import { registerTestingBatchTests } from './testingBatch.test';
import { registerLmToolTests } from './lmTools.test';
import { registerTypoTests } from './typos.test';
import { registerWalkthroughTests } from './walkthrough.test';
import { ensureScriptedProvider, stopScriptedProvider } from './scriptedProvider';

function registerAll(): void {
  before(ensureScriptedProvider);
  after(stopScriptedProvider);
  registerFirstLensTests();
  registerActivationTests();
  registerCommandTests();
  registerRunTests();
  registerDiagnosticsTests();
  registerPromptFileTests();
  registerTypoTests();
  registerWalkthroughTests();
  registerAdvisorCommandTests();
  registerCancelTests();
  registerPanelTests();
  registerPartialRunTests();
  registerFineTuneTests();
  registerGenerateTests();
  registerTestingTests();
  registerLmToolTests();
  registerBatchTests();
  registerTestingBatchTests();
  registerDemoTests();
  registerProblemNoticeTests();
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', grep: process.env.PL_GREP || undefined });
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  registerAll();
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}

if (typeof (globalThis as { describe?: unknown }).describe === 'function') registerAll();
