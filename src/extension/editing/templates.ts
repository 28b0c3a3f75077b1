// Templates for "Prompt Ladder: New Prompt File": small, complete prompt files that run as they are.

export interface PromptTemplate {
  id: string;
  label: string;
  detail: string;
  fileName: string;
  text: string;
}

const CLASSIFIER = `# A classifier with JSON output. Run it with "Prompt Ladder: Run Eval" (Ctrl+Alt+E).
name: Ticket classifier
description: Classify a message into a category, as JSON.
model: openai/gpt-4o-mini
modelParameters:
  temperature: 0
messages:
  - role: system
    content: |
      Classify the user's message. Reply with one JSON object and nothing else:
      {"category": "bug" | "question" | "feature"}
  - role: user
    content: "{{message}}"
testData:
  - message: "The app crashes when I click save"
    category: bug
  - message: "How do I export my data?"
    category: question
  - message: "Please add a dark mode"
    category: feature
examples:
  - input: "Login button does nothing"
    output: '{"category": "bug"}'
  - input: "Where can I change my password?"
    output: '{"category": "question"}'
  - input: "Could you support CSV import?"
    output: '{"category": "feature"}'
variants:
  - name: zero-shot
    shots: 0
  - name: 3-shot
    shots: 3
evaluators:
  - name: valid-json
    json: {}
    category: format
  - name: category
    string:
      contains: '"{{category}}"'
`;

const QA = `# Questions answered from given facts. Run it with "Prompt Ladder: Run Eval" (Ctrl+Alt+E).
name: Product Q&A
description: Answer customer questions in one or two sentences.
model: openai/gpt-4o-mini
modelParameters:
  temperature: 0
messages:
  - role: system
    content: |
      You answer questions about our product in at most two sentences.
      If you do not know the answer, say "I don't know".
  - role: user
    content: "{{question}}"
testData:
  - question: "What is the return window?"
    expected: "30 days"
  - question: "Do you ship internationally?"
    expected: "yes"
evaluators:
  - name: mentions-answer
    string:
      contains: "{{expected}}"
    category: knowledge
  - name: short
    regex:
      pattern: "^[^\\\\n]{1,300}$"
    category: instruction
`;

const SUMMARIZER = `# A summarizer judged for length and content. Run it with "Prompt Ladder: Run Eval" (Ctrl+Alt+E).
name: Summarizer
description: Summarize a text in one sentence.
model: openai/gpt-4o-mini
modelParameters:
  temperature: 0
messages:
  - role: system
    content: Summarize the text in one sentence of at most 25 words.
  - role: user
    content: "{{text}}"
testData:
  - text: "The meeting moved from Monday to Wednesday because the projector broke. Bring your own laptop."
    keyword: Wednesday
  - text: "Our office closes at 3 pm on Friday for the summer party. Urgent issues go to the on-call phone."
    keyword: Friday
variants:
  - name: default
  - name: think-first
    systemSuffix: " First find the single most important fact, then write the sentence."
evaluators:
  - name: keeps-key-fact
    string:
      contains: "{{keyword}}"
    category: knowledge
  - name: one-sentence
    regex:
      pattern: "^[^.!?]*[.!?]?$"
    category: format
`;

export const PROMPT_TEMPLATES: PromptTemplate[] = [
  { id: 'classifier', label: 'Classifier (JSON output)', detail: 'Categories as JSON, a JSON check, zero-shot vs 3-shot', fileName: 'classifier.prompt.yml', text: CLASSIFIER },
  { id: 'qa', label: 'Q&A', detail: 'Short answers checked for the expected fact', fileName: 'qa.prompt.yml', text: QA },
  { id: 'summarizer', label: 'Summarizer', detail: 'One-sentence summaries, two system-prompt variants', fileName: 'summarizer.prompt.yml', text: SUMMARIZER },
];
