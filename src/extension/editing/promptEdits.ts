// The prompt-file edits live in src/core/prompt/edits.ts (pure text → text; Climb patches files with them too).
export * from '../../core/prompt/edits';
