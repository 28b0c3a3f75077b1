// csv-parse (CSV eval sets): a separate bundle, dist/csv.js (see load.ts).

export { parse as parseCsv } from 'csv-parse/sync';
