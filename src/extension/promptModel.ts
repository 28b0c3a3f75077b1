// The model a prompt file names, found by a cheap text scan (for the status bar; runs use the real loader).

/**
 * The model a prompt file names: `model: provider/name` of .prompt.yml, or the `model:` map of a .prompty front
 * matter (`id` with `provider`, v2). A cheap text scan for the status bar, not a parse.
 */
export function modelOfPromptText(text: string): string | undefined {
  const inline = /^model:[ \t]*["']?([^\s"'#]+)["']?[ \t]*(?:#.*)?$/m.exec(text);
  if (inline) return inline[1];
  const block = /^model:[ \t]*(?:#.*)?\r?\n((?:[ \t]+.*\r?\n?)*)/m.exec(text);
  if (!block) return undefined;
  const body = block[1];
  const field = (name: string) => new RegExp(`^[ \\t]+${name}:[ \\t]*["']?([^\\s"'#]+)`, 'm').exec(body)?.[1];
  const id = field('id');
  if (!id) return undefined;
  const provider = field('provider');
  return provider && !id.includes('/') ? `${provider}/${id}` : id;
}
