// The `prompt-ladder` command (FORMATS.md §4). Exit codes: 0 all passed, 1 a case failed or errored, 2 bad usage or invalid file.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EvalArgs } from './evalCommand';
import { UsageError } from './usage';
import { EFFORTS, type Effort } from '../core/generate/effort';
import { ciArgs } from './ciArgs';
import type * as Mcp from './mcpCommand';
import { installBundleLoader, requireBundle } from './codeCache';

declare const __PL_MCP__: string | undefined;
declare const __PL_COMMANDS__: string | undefined;

/**
 * A sibling bundle of dist/cli.js (bundled builds), through V8's code cache (./codeCache.ts); unbundled (tests
 * under tsx) the source module. A computed id keeps the bundler from inlining the module.
 */
function load<T>(bundled: string | undefined, unbundled: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a command's module loads when the command runs
  if (typeof bundled !== 'string') return require(unbundled) as T;
  installBundleLoader();
  return requireBundle(path.join(__dirname, bundled)) as T;
}

/** The MCP server (and its SDK) loads only for `prompt-ladder mcp`: bundled builds ship it as dist/mcp.js. */
const mcpModule = (): typeof Mcp => load<typeof Mcp>(typeof __PL_MCP__ === 'string' ? __PL_MCP__ : undefined, './mcpCommand');

/** The commands are a separate bundle, loaded on first use (startup stays fast for --help and usage errors). */
const commands = (): typeof import('./commands') =>
  load<typeof import('./commands')>(typeof __PL_COMMANDS__ === 'string' ? __PL_COMMANDS__ : undefined, './commands');
import { redactStream } from './redactStreams';
import { parseTimeoutSeconds } from '../core/providers/timeout';
import { describeIoError } from '../core/faults';

const HELP = `prompt-ladder — run prompt files over eval sets, with few-shot variants side by side

Usage:
  prompt-ladder eval <file>... [options]
  prompt-ladder finetune <file> [--format openai|vertex|bedrock|local] [--teacher VARIANT] [--run record.json]
                         [--source auto|expected|best-variant] [--variant NAME] [--out DIR]
  prompt-ladder climb <file> [--budget-usd X] [--max-calls N] [--max-steps N] [--seed S] [--json out.json] [--out NEW_FILE | --apply] [--batch]
  prompt-ladder mcp [--root DIR] [--no-cache] [--concurrency N] [--allow-code]
  prompt-ladder generate <file> [--count N] [--out EVALSET] [--model M] [--groundtruth-model M] [--effort low|medium|high]
  prompt-ladder --version | --help

Options for eval:
  --json <out.json>     write the run record(s) as JSON
  --junit <out.xml>     write JUnit XML (one suite per prompt file and variant)
  --html <out.html>     write a self-contained HTML report
  --variant <name>      run only this variant (repeatable)
  --case <n>            run only this case (0-based index over the eval set, repeatable or n,m): a partial
                        run, never advised on or used as a baseline
  --concurrency <n>     cap concurrent calls per endpoint (default: adaptive)
  --timeout <seconds>   give up on a call after this long, retried once (default 30; env PROMPT_LADDER_TIMEOUT)
  --no-cache            bypass the response cache
  --repeat <n>          ask n times per case, each an independent call (the cache keeps each repeat apart);
                        reports pass^n and the flaky cases
  --baseline <ref>      compare with a baseline: a run record file, a run id, latest, or a git ref (the
                        prompt file and its eval sets as they were at that commit, run cache first)
  --fail-on <what>      regression (default in CI with --baseline: regressions beyond noise, or a must-pass
                        case regressed), any-failure (default otherwise) or none
  --min-pass-rate <r>   also fail when a variant's pass rate is below r (0..1)
  --alpha <a>           significance level of the paired test for --fail-on regression (default 0.05)
  --md <out.md>         write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)
  --batch               run the calls through the provider's Batch API (OpenAI, Azure OpenAI: about half
                        the price, done within 24 h); the same command again attaches to pending batches
  --batch=calls         batch only the prompt's calls; evaluator calls (judges) run live
  --detach              with --batch: submit and exit 0 without waiting
  --poll-interval <s>   with --batch: seconds between status checks (default: 2, growing to 60)
  --root <dir>          where .promptladder/ lives (default: the prompt file's project,
                        the nearest folder with .git, package.json or .promptladder)
  --quiet               print only the summary
  --strict              fail (exit 2) on any warning, before any call; the default when CI=true
  --no-strict           report warnings but run anyway (also in CI)
  Ctrl-C, SIGTERM and SIGHUP stop a run the same way: no new call, the partial record and --json are
  written; exit 1 after Ctrl-C, 143 after SIGTERM, 129 after SIGHUP (see docs/reliability.md)

Options for finetune (export a fine-tuning dataset, few-shot examples dropped, every line checked):
  --format <f>          openai (default; the chat JSONL that Azure OpenAI, Mistral, Together and Fireworks
                        accept as is; also --format azure|mistral|together|fireworks), vertex (Google
                        Vertex AI), bedrock (Amazon Bedrock) or local (messages JSONL + an axolotl config)
  --teacher <variant>   distil: the answers are this variant's passing outputs, the prompt is the student's
                        (--variant, default: the cheapest variant on another model)
  --calls-per-month <n> volume for the cost comparison with cached few-shot and structured output (default 100000)
  --run <record.json>   the run to export from (default: the newest run of the file)
  --source <s>          auto (default: a case's expected output, else the best variant's passing
                        output), expected (expected outputs only) or best-variant (passing outputs only)
  --variant <name>      the variant whose prompt to use (default: the best)
  --validation <share>  share held out for validation, 0..0.5 (default 0.2)
  --out <dir>           where to write NAME.FORMAT.train.jsonl / NAME.FORMAT.validation.jsonl (default: .)
  --partial             export from a run that did not finish (interrupted or cancelled); refused without it

Options for climb (try the advisor's moves, keep each only on held-out evidence; see docs/climb.md):
  --budget-usd <x>      never spend more (default with known prices: the printed estimate)
  --max-calls <n>       never make more calls (the budget when the model has no known price)
  --max-steps <n>       steps at most (default 5)
  --seed <s>            seed of the search / validation / test split (default 1)
  --model <m>           also try this model as a move (an ft: id is a fine-tuned model)
  --batch               each step's runs through the Batch API (OpenAI, Azure OpenAI: about half the price,
                        hours per step; budget and estimate at batch prices); --batch=calls runs judges live;
                        after Ctrl-C or a kill the same command attaches to the pending batches
  --out <file>          write the climbed prompt file there; --apply adds its variant to the file itself
  Exit codes: 0 a better prompt was kept within budget · 1 nothing better · 2 bad input · 130 interrupted
  (run the same command again to resume)

Options for generate (new test cases from the prompt's rules, appended to its eval set):
  --count <n>           add at most n cases (default: all that pass the checks)
  --out <evalset>       append to this .jsonl/.csv/.yaml file (default: testFile, NAME.cases.jsonl or inline testData)
  --model <m>           model for the generation steps (default: the prompt's model)
  --groundtruth-model <m>  fill each case's expected value with this model's reply
  --effort <level>      low (default), medium or high: how many rules and inputs per rule
  --evaluator           also add an llm evaluator of compliance with the extracted rules

General:
  -h, --help            show this help
  -v, --version         print the version

mcp: a Model Context Protocol server over stdio for agents (tools run_eval, list_runs, get_run,
get_advice); prompt files are named relative to --root (default: the current directory).
run_eval refuses a prompt file with \`code\` evaluators (JavaScript from the project) unless the
server was started with --allow-code.

Providers come from your environment (never from the prompt file): openai/NAME uses
OPENAI_API_KEY and OPENAI_BASE_URL; ollama/NAME a local Ollama (OLLAMA_HOST); github/NAME
GitHub Models with GITHUB_TOKEN; azure/DEPLOYMENT uses AZURE_OPENAI_ENDPOINT and
AZURE_OPENAI_API_KEY; named profiles live in ~/.config/prompt-ladder/config.json.

No key? In a clone of this repository, \`npm run demo:server\` starts the scripted demo model (a
fake model answering from fixed rules, not an LLM) on port 8787; then run
  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 OPENAI_API_KEY=demo prompt-ladder eval examples/support-intent/support-intent.prompt.yml

Exit codes: 0 all passed (or --detach submitted) · 1 a case failed or errored (or the run was cancelled) · 2 bad usage
or invalid file · 130 interrupted while waiting for a batch (it keeps running; run the command again to resume)`;

/** The usage lines of the help, printed after a mistake in the arguments. */
const USAGE = `${HELP.slice(HELP.indexOf('Usage:'), HELP.indexOf('\n\n', HELP.indexOf('Usage:')))}\n\nRun \`prompt-ladder --help\` for the options.`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} needs a whole number ≥ 1, got "${value}"`);
  return n;
}

/** The package's version: dist/cli.js sits one folder below package.json, src/cli/main.ts (under tsx) two. */
async function version(): Promise<string> {
  for (const up of ['..', path.join('..', '..')]) {
    try {
      const pkg = JSON.parse(await fs.readFile(path.join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'prompt-ladder' && pkg.version) return pkg.version;
    } catch {
      // not this folder
    }
  }
  return 'unknown';
}

/** One line for what parseArgs refused (its own messages are long and talk about positionals). */
export function argumentProblem(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option ? `option ${option} needs a value` : message;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument: ${message}`;
    default:
      return message;
  }
}

/** Every option of every command (parseArgs knows no subcommands); each command reads its own. */
const OPTIONS = {
  json: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  variant: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'no-cache': { type: 'boolean' },
  repeat: { type: 'string' },
  baseline: { type: 'string' },
  'fail-on': { type: 'string' },
  'min-pass-rate': { type: 'string' },
  alpha: { type: 'string' },
  md: { type: 'string' },
  root: { type: 'string' },
  quiet: { type: 'boolean' },
  detach: { type: 'boolean' },
  'poll-interval': { type: 'string' },
  strict: { type: 'boolean' },
  'no-strict': { type: 'boolean' },
  run: { type: 'string' },
  source: { type: 'string' },
  out: { type: 'string' },
  validation: { type: 'string' },
  format: { type: 'string' },
  teacher: { type: 'string' },
  'calls-per-month': { type: 'string' },
  count: { type: 'string' },
  model: { type: 'string' },
  'groundtruth-model': { type: 'string' },
  effort: { type: 'string' },
  evaluator: { type: 'boolean' },
  'allow-code': { type: 'boolean' },
  'budget-usd': { type: 'string' },
  'max-calls': { type: 'string' },
  'max-steps': { type: 'string' },
  seed: { type: 'string' },
  apply: { type: 'boolean' },
  partial: { type: 'boolean' },
  case: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies NonNullable<ParseArgsConfig['options']>;

function parseOptions(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

type Values = ReturnType<typeof parseOptions>['values'];
type BatchMode = 'all' | 'calls' | undefined;

/** `--batch` and `--batch=calls` (parseArgs has no optional values): the mode, and the arguments without it. */
function splitBatchFlag(argv: string[]): { argv: string[]; batchMode: BatchMode } {
  let batchMode: BatchMode;
  const rest = argv.filter((a) => {
    const m = /^--batch(?:=(.*))?$/.exec(a);
    if (!m) return true;
    batchMode = m[1] === undefined || m[1] === 'all' ? 'all' : m[1] === 'calls' ? 'calls' : (`bad:${m[1]}` as 'all');
    return false;
  });
  return { argv: rest, batchMode };
}

export async function main(argv: string[]): Promise<number> {
  redactStream(process.stdout);
  redactStream(process.stderr);
  const split = splitBatchFlag(argv);
  let parsed;
  try {
    parsed = parseOptions(split.argv);
  } catch (err) {
    process.stderr.write(`prompt-ladder: ${argumentProblem(err)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  const [command, ...files] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return command || values.help ? 0 : 2;
  }
  try {
    return await runCommand(command, values, files, split.batchMode);
  } catch (err) {
    // by name too: the commands are a separate bundle (dist/cli-commands.js) with its own copy of the class
    // a file the command was told to read (a config named by PROMPT_LADDER_CONFIG) that is missing or broken is
    // bad input, said at its line, not an internal error
    if (err instanceof UsageError || (err instanceof Error && (err.name === 'UsageError' || err.name === 'SpecError'))) {
      process.stderr.write(`prompt-ladder: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function runCommand(command: string, values: Values, files: string[], batchMode: BatchMode): Promise<number> {
  switch (command) {
    // each command's arguments are checked before its module loads, so a usage error stays fast
    case 'finetune': {
      const args = finetuneArgs(values, files);
      return commands().finetuneCommand(args);
    }
    case 'climb': {
      const c = commands();
      return c.climbCommand(c.climbArgs(values, files, batchMode));
    }
    case 'mcp':
      if (files.length) throw new UsageError(`mcp takes no files (prompt files are named by the agent, relative to --root)`);
      return mcpModule().mcpCommand({
        root: path.resolve(values.root ?? process.cwd()),
        version: await version(),
        cache: !values['no-cache'],
        concurrency: positiveInt('concurrency', values.concurrency),
        allowCode: Boolean(values['allow-code']),
      });
    case 'generate': {
      const args = generateArgs(values, files);
      return commands().generateCommand(args);
    }
    case 'eval': {
      const args = evalArgs(values, files, batchMode);
      return commands().evalCommand(args);
    }
    default:
      throw new UsageError(`unknown command "${command}" (try: prompt-ladder eval <file>)`);
  }
}

function finetuneArgs(values: Values, files: string[]): Parameters<ReturnType<typeof commands>['finetuneCommand']>[0] {
  if (files.length !== 1) throw new UsageError('finetune needs exactly one prompt file');
  const source = values.source ?? 'auto';
  if (source !== 'auto' && source !== 'expected' && source !== 'best-variant') {
    throw new UsageError(`--source must be auto, expected or best-variant, got "${source}"`);
  }
  const share = values.validation === undefined ? undefined : Number(values.validation);
  if (share !== undefined && !(share >= 0 && share <= 0.5)) throw new UsageError(`--validation needs a share from 0 to 0.5, got "${values.validation}"`);
  return {
    file: files[0],
    source,
    out: path.resolve(values.out ?? '.'),
    ...(values.root ? { root: path.resolve(values.root) } : {}),
    ...(values.run ? { run: values.run } : {}),
    ...(values.variant?.[0] ? { variant: values.variant[0] } : {}),
    ...(share !== undefined ? { validationShare: share } : {}),
    ...(values.format ? { format: values.format } : {}),
    ...(values.teacher ? { teacher: values.teacher } : {}),
    ...(values['calls-per-month'] ? { callsPerMonth: positiveInt('calls-per-month', values['calls-per-month']) } : {}),
    ...(values.partial ? { partial: true } : {}),
  };
}

function generateArgs(values: Values, files: string[]): Parameters<ReturnType<typeof commands>['generateCommand']>[0] {
  if (files.length !== 1) throw new UsageError('generate needs exactly one prompt file');
  const effort = values.effort;
  if (effort !== undefined && !EFFORTS.includes(effort as Effort)) throw new UsageError(`--effort must be low, medium or high, got "${effort}"`);
  return {
    file: files[0],
    count: positiveInt('count', values.count),
    out: values.out,
    model: values.model,
    groundtruthModel: values['groundtruth-model'],
    effort: effort as Effort | undefined,
    evaluator: Boolean(values.evaluator),
    concurrency: positiveInt('concurrency', values.concurrency),
    quiet: Boolean(values.quiet),
  };
}

function evalArgs(values: Values, files: string[], batchMode: BatchMode): EvalArgs {
  if (files.length === 0) throw new UsageError('eval needs at least one prompt file');
  if (batchMode && batchMode !== 'all' && batchMode !== 'calls') throw new UsageError(`--batch takes no value, or =calls; got "${String(batchMode).slice(4)}"`);
  if (!batchMode && (values.detach || values['poll-interval'] !== undefined)) throw new UsageError('--detach and --poll-interval go with --batch');
  let pollIntervalMs: number | undefined;
  if (values['poll-interval'] !== undefined) {
    const n = Number(values['poll-interval']);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--poll-interval needs a number of seconds > 0, got "${values['poll-interval']}"`);
    pollIntervalMs = Math.round(n * 1000);
  }
  let timeoutSeconds: number | undefined;
  try {
    timeoutSeconds = parseTimeoutSeconds(values.timeout, '--timeout') ?? parseTimeoutSeconds(process.env.PROMPT_LADDER_TIMEOUT, 'PROMPT_LADDER_TIMEOUT');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // a partial run is never compared with a baseline: the cases it did not run would all read as removed
  if (values.case?.length && values.baseline) throw new UsageError('--case makes a partial run, which is not compared with a baseline: drop --case or --baseline');
  return {
    files,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    json: values.json,
    junit: values.junit,
    html: values.html,
    variants: values.variant,
    ...(values.case?.length ? { cases: caseIndexesOf(values.case) } : {}),
    concurrency: positiveInt('concurrency', values.concurrency),
    cache: !values['no-cache'],
    repeat: positiveInt('repeat', values.repeat),
    ...(values.root ? { root: path.resolve(values.root) } : {}),
    quiet: Boolean(values.quiet),
    ...(batchMode ? { batch: batchMode } : {}),
    ...(values.detach ? { detach: true } : {}),
    ...(pollIntervalMs ? { pollIntervalMs } : {}),
    ...(values.strict ? { strict: true } : values['no-strict'] ? { strict: false } : {}),
    ci: ciArgs(values),
  };
}

if (require.main === module) {
  // `prompt-ladder eval … | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // a fault of the machine (a file that cannot be written or read) is one line naming the path, not a stack
      if (err instanceof Error && err.name === 'FaultError') {
        process.stderr.write(`prompt-ladder: ${err.message}\n`);
        process.exitCode = 1;
        return;
      }
      const sys = err as NodeJS.ErrnoException;
      if (sys?.code && sys.syscall && sys.path) {
        process.stderr.write(`prompt-ladder: cannot ${/^(open|read|stat|scandir)/.test(sys.syscall) && !/^(EROFS|ENOSPC)$/.test(sys.code) ? 'access' : 'write'} ${sys.path}: ${describeIoError(sys)}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`prompt-ladder: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}

/** `--case 3 --case 5,7` → [3, 5, 7]; anything but 0-based integers is a usage error. */
function caseIndexesOf(values: string[]): number[] {
  const out = values.flatMap((v) => v.split(',')).map((x) => x.trim());
  const bad = out.find((x) => !/^\d+$/.test(x));
  if (bad !== undefined) throw new UsageError(`--case needs 0-based case indexes (e.g. --case 3 or --case 3,5), got "${bad}"`);
  return [...new Set(out.map(Number))].sort((a, b) => a - b);
}
