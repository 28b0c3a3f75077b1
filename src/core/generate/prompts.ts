// Every model-facing text of test-case generation, one function per step, so the prompts can be read and tuned in
// one place. The method is PromptPex's (microsoft/promptpex: intent, input specification, output rules, inverse
// rules, tests that probe each rule, a validity check against the input specification, groundtruth, a rules
// compliance judge), as GitHub's `gh models generate` also implements it. The wording below is ours; the steps are
// theirs. Differences: intent and input specification come from one call, each rule comes with its inverse in one
// reply, every reply is JSON checked against a schema, and validity is judged for a batch of inputs at a time.

import type { ChatMessage, PromptSpec } from '../prompt/spec';

/** The prompt under test as the generator sees it: its messages with placeholders left in. */
export function promptText(spec: PromptSpec): string {
  const parts = spec.messages.map((m) => `[${m.role}]\n${m.content.trim()}`);
  if (spec.description) parts.unshift(`[description]\n${spec.description.trim()}`);
  return parts.join('\n\n');
}

const JSON_ONLY = 'Answer with one JSON object that matches the requested shape, and nothing else: no prose, no code fences.';

function variableList(vars: readonly string[]): string {
  return vars.map((v) => `- ${v}`).join('\n');
}

/** Step 1: what the prompt is for, and what a valid input looks like (PromptPex: intent + input specification). */
export function intentMessages(spec: PromptSpec, vars: readonly string[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        'You analyse a prompt template that an application sends to a language model, in order to write tests for it.',
        'The template is given between <PROMPT> tags. Its placeholders look like {{name}}; each test fills every placeholder.',
        '',
        'Report:',
        '1. "intent": the one-sentence goal of the prompt — what it makes the model do. Do not start with "The prompt".',
        '2. "inputSpec": the rules a valid input obeys, one independent, checkable sentence each: what kind of content each',
        '   placeholder holds, its language, length, format and allowed values. Only the input: nothing about the answer.',
        '   If the prompt treats some input specially (greetings, empty text, off-topic requests), that input is valid.',
        '3. "variables": for each placeholder, a short description of what it holds.',
        '',
        JSON_ONLY,
        'Shape: {"intent": string, "inputSpec": string[], "variables": [{"name": string, "description": string}]}',
      ].join('\n'),
    },
    { role: 'user', content: `Placeholders:\n${variableList(vars)}\n\n<PROMPT>\n${promptText(spec)}\n</PROMPT>` },
  ];
}

/** Step 2: output rules the prompt demands, each with its inverse (PromptPex: output rules + inverse rules). */
export function rulesMessages(spec: PromptSpec, intent: string, maxRules: number, inverse: boolean): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        'You extract output rules from a prompt template: the constraints a correct reply of the model must satisfy.',
        'Each rule is one self-contained sentence that a reviewer can check by reading the reply (and the input) alone,',
        'with every term it uses defined. Generalise: no rule that only fits an example in the prompt. Describe what the',
        'output is, not how it is produced. Most important rules first.',
        inverse
          ? 'For each rule also write its inverse: a rule that contradicts it, describing an output that breaks it in a realistic, tricky way (an edge case, not a cartoon).'
          : 'Set "inverse" to null for every rule.',
        `Give at most ${maxRules} rules.`,
        '',
        JSON_ONLY,
        `Shape: {"rules": [{"rule": string, "inverse": ${inverse ? 'string' : 'null'}}]}`,
      ].join('\n'),
    },
    { role: 'user', content: `Intent: ${intent}\n\n<PROMPT>\n${promptText(spec)}\n</PROMPT>` },
  ];
}

export interface RuleForTests {
  /** 1-based rule number as it will appear in `rule:<n>` tags. */
  id: number;
  /** 1-based number of this entry (rules and inverse rules counted together), what a test's ruleId names. */
  key: number;
  text: string;
  inverse: boolean;
}

export interface TestContext {
  spec: PromptSpec;
  vars: readonly string[];
  intent: string;
  inputSpec: readonly string[];
  variableNotes: readonly { name: string; description: string }[];
  /** Inputs already in the eval set or generated so far: shown so the model avoids repeating them. */
  avoid: readonly string[];
}

function testPreamble(c: TestContext): string {
  const notes = c.variableNotes.length ? c.variableNotes.map((v) => `- ${v.name}: ${v.description}`).join('\n') : variableList(c.vars);
  return [
    `Intent of the prompt: ${c.intent}`,
    '',
    '<INPUT_SPEC>',
    ...c.inputSpec.map((r) => `- ${r}`),
    '</INPUT_SPEC>',
    '',
    'Placeholders every test fills (all of them, as strings):',
    notes,
    '',
    '<PROMPT>',
    promptText(c.spec),
    '</PROMPT>',
    ...(c.avoid.length ? ['', 'Inputs that exist already (do not repeat them or make near-copies):', ...c.avoid.slice(0, 40).map((a) => `- ${a.slice(0, 200)}`)] : []),
  ].join('\n');
}

const TEST_SHAPE = (vars: readonly string[]) =>
  `Shape: {"tests": [{"ruleId": number | null, "scenario": string, "vars": {${vars.map((v) => `"${v}": string`).join(', ')}}}]}`;

/** Step 3a: inputs that probe each rule (and inverse rule) of a group (PromptPex: test generation per rule). */
export function ruleTestsMessages(c: TestContext, rules: readonly RuleForTests[], perRule: number): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        'You write test inputs for a prompt template. A test is a realistic input, valid under the input specification,',
        'chosen so that the reply shows whether the model follows one particular rule. For a rule marked INVERSE, pick an',
        'input that tempts the model into the described violation. Cover typical, boundary and tricky cases; no two tests',
        'alike; no placeholder left empty or whitespace only unless the input specification allows it.',
        `Write ${perRule} test${perRule === 1 ? '' : 's'} for each rule. Set "ruleId" to the number of the rule the test probes.`,
        '"scenario" says in a few words what the test checks.',
        '',
        JSON_ONLY,
        TEST_SHAPE(c.vars),
      ].join('\n'),
    },
    {
      role: 'user',
      content: `${testPreamble(c)}\n\n<RULES>\n${rules.map((r) => `${r.key}. ${r.inverse ? `INVERSE of rule ${r.id}: ` : ''}${r.text}`).join('\n')}\n</RULES>`,
    },
  ];
}

/** Step 3b: ordinary happy paths and edge cases of the input space, not tied to a rule. */
export function extraTestsMessages(c: TestContext, happy: number, edge: number): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        'You write test inputs for a prompt template, valid under the input specification.',
        `Write ${happy} "happy path" test${happy === 1 ? '' : 's'}: ordinary, representative inputs a real user would send.`,
        `Then ${edge} "edge case" test${edge === 1 ? '' : 's'}: still valid, but at the boundaries — very short or long, unusual`,
        'wording, mixed languages, special characters, ambiguous requests, inputs the prompt handles specially.',
        'Set "ruleId" to null. Start each "scenario" with "happy path:" or "edge case:". No two tests alike.',
        '',
        JSON_ONLY,
        TEST_SHAPE(c.vars),
      ].join('\n'),
    },
    { role: 'user', content: testPreamble(c) },
  ];
}

/** Step 4: does each input obey the input specification? (PromptPex: test validity.) */
export function validityMessages(inputSpec: readonly string[], inputs: readonly { id: number; vars: Record<string, string> }[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        'You check test inputs against an input specification, strictly and only against it: do not judge what a good',
        'answer would be, and do not assume rules that are not written. An input is valid when it breaks none of the rules.',
        'For each input give its "id", "valid" (true or false) and a short "reason" naming the rule it breaks, if any.',
        '',
        '<INPUT_SPEC>',
        ...inputSpec.map((r) => `- ${r}`),
        '</INPUT_SPEC>',
        '',
        JSON_ONLY,
        'Shape: {"verdicts": [{"id": number, "valid": boolean, "reason": string}]}',
      ].join('\n'),
    },
    { role: 'user', content: inputs.map((i) => `<INPUT id="${i.id}">\n${JSON.stringify(i.vars, null, 1)}\n</INPUT>`).join('\n') },
  ];
}

/**
 * The proposed `llm` evaluator (PromptPex / gh-models: a judge of compliance with the extracted rules). Its prompt is
 * templated per case with the row's variables and `{{completion}}`; the judge answers PASS or FAIL.
 */
export function complianceEvaluatorPrompts(intent: string, vars: readonly string[], rules: readonly string[]): { systemPrompt: string; prompt: string } {
  // The prompt's own text is not repeated here: its placeholders and template tags would be filled in again.
  const systemPrompt = [
    `You check whether a chatbot reply complies with the rules its prompt sets. The chatbot's task: ${intent}`,
    'Judge only compliance with the rules below, from the reply and the input; do not judge facts you cannot verify.',
    'Reply with one word: PASS when the reply breaks none of the rules, FAIL when it breaks any.',
    '',
    '<RULES>',
    ...rules.map((r, i) => `${i + 1}. ${r}`),
    '</RULES>',
  ].join('\n');
  const prompt = [
    '<INPUT>',
    ...vars.map((v) => `${v}: {{${v}}}`),
    '</INPUT>',
    '<REPLY>',
    '{{completion}}',
    '</REPLY>',
  ].join('\n');
  return { systemPrompt, prompt };
}

/** The line added after a reply of the wrong shape, for the one retry. */
export function shapeRetryMessage(problem: string): ChatMessage {
  return {
    role: 'user',
    content: `Your reply could not be used: ${problem}. Answer again with only the JSON object in the requested shape.`,
  };
}
