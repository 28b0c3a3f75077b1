// The template engines of .prompty files (nunjucks for jinja2, Mustache): a separate bundle, dist/templates.js (see load.ts).

export { default as nunjucks } from 'nunjucks';
export { default as Mustache } from 'mustache';
