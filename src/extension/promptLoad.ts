// The prompt loader as the editor uses it: every file the editor loads as a prompt file is one `isPromptFile`
// accepted, by name or because `promptLadder.files` names it, so it is loaded as named explicitly (`anyName`):
// a YAML file with the prompt-file shape loads whatever its name, as `gh models eval foo.yml` does.

import * as core from '../core/prompt/load';

export * from '../core/prompt/load';

export function loadPromptFile(file: string, opts?: core.LoadOptions): ReturnType<typeof core.loadPromptFile> {
  return core.loadPromptFile(file, { anyName: true, ...opts });
}

export function checkPromptText(file: string, text: string, opts?: Omit<core.LoadOptions, 'text'>): ReturnType<typeof core.checkPromptText> {
  return core.checkPromptText(file, text, { anyName: true, ...opts });
}
