// Counted nouns and verbs in user text: "1 case", "2 cases", "1 remains", "3 remain".

/** `n` and the noun in the number it calls for: plural('case', 1) → "1 case"; irregular plurals passed in full. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/** The verb that agrees with `n` things: verb(1, 'remains', 'remain') → "remains". */
export function verb(n: number, singular: string, pluralForm: string): string {
  return n === 1 ? singular : pluralForm;
}
