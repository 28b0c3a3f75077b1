// Text from files (run records, prompt files, provider replies) shown inside Markdown — the Runs view's tooltips,
// the Language Model tool's confirmation — is escaped so it reads as the text it is: a name cannot become a link,
// an image, emphasis, code, HTML or a new block. Shared so every Markdown the extension builds escapes alike.

/**
 * `text` as literal Markdown inside a line: the characters that open inline Markdown or HTML are backslash-escaped
 * (CommonMark allows it for any ASCII punctuation), `:` and `www.` too so no URL is auto-linked, a list, heading or
 * quote marker at the start is escaped, and line breaks become spaces, so the text stays in the line it is put in.
 * Other characters (`-`, `.`, `/` inside names) stay as written.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_{}[\]()<>!|~&:$]/g, '\\$&')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`)
    .replace(/^(\s*)([#+\-=>])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}
