// Whether an expected answer is computed from the question's quantities (a number, time, date, duration, amount
// with a unit or currency) rather than a looked-up fact: the categorizer's fallback calls a wrong one reasoning.

// A computed answer: a number, an amount with currency or unit, a percentage, a clock time, a date, a duration.
const CURRENCY = '[$€£¥₹]|usd|eur|gbp|cny|rmb|元|円|块';
const COMPUTED = new RegExp(
  [
    `^(?:${CURRENCY})?\\s*[-+]?\\d[\\d,.' ]*(?:\\s*(?:%|${CURRENCY}|[\\p{L}°/²³.]{1,14}(?:\\s+[\\p{L}]{1,10})?))?$`, // 37, $12.50, 3 hours, 12 km/h, 45 分钟, 5 元
    '^\\d{1,2}[:.h]\\d{2}(?::\\d{2})?\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)?$', // 14:30, 2:05 pm
    '^\\d{1,2}\\s*(?:am|pm)$',
    '^\\d{4}-\\d{2}-\\d{2}(?:[ t]\\d{2}:\\d{2})?$', // 2024-03-05
    '^\\d{1,2}[/.]\\d{1,2}[/.]\\d{2,4}$',
    '^(?:\\p{L}+,?\\s+)?\\d{1,2}(?:st|nd|rd|th)?\\s+\\p{L}+,?(?:\\s+\\d{4})?$', // Monday 3 March 2025
    '^(?:\\p{L}+,?\\s+)?\\p{L}+\\s+\\d{1,2}(?:st|nd|rd|th)?,?(?:\\s+\\d{4})?$', // March 3, 2025
    '^\\d{4}年\\d{1,2}月\\d{1,2}日$|^\\d{1,2}月\\d{1,2}日$|^\\d{1,2}[点时]\\d{0,2}分?$', // 2025年3月5日, 3月5日, 9点30分
    '^(?:\\d+\\s*(?:h|hr|hours?|m|min|minutes?|s|sec|seconds?|d|days?|weeks?|小时|分钟|分|秒|天|周)\\s*){1,3}$', // 1 h 30 min, 2小时30分钟
  ].join('|'),
  'iu',
);

/** Whether an expected answer is a computed value (a number, time, date, duration, amount) rather than a looked-up fact. */
export function isComputedAnswer(expected: string): boolean {
  const t = expected.trim();
  if (!t || t.length > 40 || !/\d/.test(t)) return false;
  // product codes, ids and versions (letters glued to digits: C3X, A-113, v2.1) are facts, not computations
  if (/[A-Za-z]\d/.test(t)) return false;
  return COMPUTED.test(t);
}

/** Quantities in a text: numbers, times and dates count once each (14:30 is one, not two). */
export function quantitiesIn(s: string): number {
  const t = s
    .replace(/\d{4}-\d{2}-\d{2}/g, ' Q ')
    .replace(/\d{1,2}[:.]\d{2}(?::\d{2})?/g, ' Q ')
    .replace(/\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日/g, ' Q ');
  return (t.match(/\bQ\b|\d[\d,]*(?:\.\d+)?/g) ?? []).length;
}
