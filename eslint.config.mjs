// ESLint for the whole repository: `npm run lint` (and a step of `npm test`). The rules are those of VS Code's
// extension samples (typescript-eslint's recommended set, import names in camelCase or PascalCase, curly,
// eqeqeq, no-throw-literal, semicolons) fitted to this repository's style, plus the formatting it already
// follows, checked by @stylistic rules instead of a reformatting tool: 2-space indents, single quotes,
// semicolons, trailing commas in multi-line lists, no trailing spaces, LF line ends and a final newline.
// An `eslint-disable` comment names the rule it turns off and says why (`-- reason`).

import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'fetch', 'AbortController', 'AbortSignal', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'structuredClone', 'TextDecoder', 'TextEncoder', 'performance'];

/** Every `eslint-disable…` comment names its rules and gives a reason after ` -- `. */
const disableNeedsReason = {
  meta: { type: 'suggestion', messages: { rule: 'eslint-disable must name the rule it turns off', reason: 'eslint-disable must say why, after " -- "' }, schema: [] },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const m = /^\s*eslint-disable(?:-next-line|-line)?(.*)$/s.exec(comment.value);
          if (!m) continue;
          const [rules, reason] = m[1].split(/\s--\s/);
          if (!rules.trim()) context.report({ loc: comment.loc, messageId: 'rule' });
          else if (!reason?.trim()) context.report({ loc: comment.loc, messageId: 'reason' });
        }
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'test-results/**', '**/.promptladder/**', 'node_modules/**', '.vscode-test/**', 'test/fixtures/wild/**', '**/*.d.ts'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mjs,cjs,js}'],
    plugins: { '@stylistic': stylistic, local: { rules: { 'disable-needs-reason': disableNeedsReason } } },
    rules: {
      '@typescript-eslint/naming-convention': ['error', { selector: 'import', format: ['camelCase', 'PascalCase'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A one-line `if (x) return y;` is the house style; a body over several lines takes braces.
      curly: ['error', 'multi-line'],
      // `x == null` is the one loose comparison used, for null or undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-throw-literal': 'error',
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      'local/disable-needs-reason': 'error',
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['ConditionalExpression *', 'TSUnionType *', 'TSIntersectionType *', 'ArrowFunctionExpression > ArrowFunctionExpression'] }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': ['error', 'always'],
      '@stylistic/linebreak-style': ['error', 'unix'],
      '@stylistic/no-tabs': 'error',
    },
  },
  {
    // Scripts run by Node; TypeScript files get their globals from the type-checker instead.
    files: ['**/*.{mjs,cjs,js}'],
    languageOptions: { globals: Object.fromEntries(NODE_GLOBALS.map((name) => [name, 'readonly'])) },
  },
);
