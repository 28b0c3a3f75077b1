// The commands advisor actions name (`command:<id>|Label`, optionally `command:<id>?<args>|Label`). Every id
// here is registered by the extension; test/unit/analysis/advisor/actions.test.ts walks every action kind the
// rules can emit and checks it resolves to one of these with valid arguments.

export const ADVISOR_COMMANDS = {
  runEval: 'promptLadder.runEval',
  selectModel: 'promptLadder.selectModel',
  setApiKey: 'promptLadder.setApiKey',
  addRetrieval: 'promptLadder.addRetrieval',
  addRetrievalVariant: 'promptLadder.addRetrievalVariant',
  exportFineTune: 'promptLadder.exportFineTune',
  addChainOfThought: 'promptLadder.addChainOfThoughtVariant',
  addSelfRepair: 'promptLadder.addSelfRepairVariant',
  addFewShot: 'promptLadder.addFewShotVariants',
  addTestCase: 'promptLadder.addTestCase',
  generateTestCases: 'promptLadder.generateTestCases',
  climb: 'promptLadder.climb',
} as const;

export type AdvisorCommand = (typeof ADVISOR_COMMANDS)[keyof typeof ADVISOR_COMMANDS];

/** `command:<id>|Label`, or with arguments `command:<id>?<url-encoded JSON array>|Label`. */
export function commandAction(id: AdvisorCommand, label: string, args?: unknown[]): string {
  const a = args && args.length ? `?${encodeURIComponent(JSON.stringify(args))}` : '';
  return `command:${id}${a}|${label}`;
}

/** What a retrieval variant may override of the prompt's `retrieval` section (VariantSpec.retrieval as a map). */
export interface RetrievalOverride {
  chunk?: { size: number; overlap: number };
  topK?: number;
  query?: 'input' | 'hyde' | 'expand';
  rerank?: 'lexical' | 'llm';
}

/** The argument of promptLadder.addRetrievalVariant: variants to add (then the eval re-runs). */
export interface RetrievalVariantArgs {
  /** The variant the new ones copy (its shots, model, system text); default the first retrieval variant. */
  base?: string;
  variants: { name: string; retrieval: RetrievalOverride }[];
}

export function retrievalVariantAction(label: string, args: RetrievalVariantArgs): string {
  return commandAction(ADVISOR_COMMANDS.addRetrievalVariant, label, [args]);
}

/** The argument the advisor's variant buttons pass: save the edit and re-run. */
export const RERUN = { rerun: true } as const;
