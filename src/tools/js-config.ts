// Connection settings in a JavaScript or TypeScript config file (drizzle.config.ts, a knexfile, a TypeORM
// data source, prisma.config.ts, sequelize's config.js), read literally, never run. A key whose value
// is a string literal is that value; `process.env.NAME` (also `process.env["NAME"]`, `env("NAME")`, with
// a `?? 'literal'` or `|| 'literal'` fallback) names a variable; anything else (a function call, a
// variable, a template with `${…}`) is opaque and reported as such, so the caller can hold the target as
// unknown. Whether the file loads a .env (`import 'dotenv/config'`, `dotenv.config()`,
// `process.loadEnvFile()`) is reported too.

export type ConfigValue =
  | { key: string; kind: 'literal'; value: string }
  | { key: string; kind: 'variable'; name: string; fallback?: string }
  | { key: string; kind: 'opaque'; text: string };

export interface ConfigReading {
  values: ConfigValue[];
  loadsDotenv: boolean;
}

/** The text with comments blanked out (strings kept), so a commented-out URL does not count. */
export function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const stringLiteral = String.raw`'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)"|` + '`((?:\\\\.|[^`\\\\$])*)`';
const envRef = String.raw`process\.env\.([A-Za-z_]\w*)|process\.env\[\s*['"]([^'"]+)['"]\s*\]|\benv\(\s*['"]([^'"]+)['"]\s*\)|\bimport\.meta\.env\.([A-Za-z_]\w*)|\bBun\.env\.([A-Za-z_]\w*)|\bDeno\.env\.get\(\s*['"]([^'"]+)['"]\s*\)`;

/** Every `key: value` of `keys` in the text, as literals, variables or opaque values. */
export function readConfigValues(source: string, keys: readonly string[]): ConfigReading {
  const text = withoutComments(source);
  const values: ConfigValue[] = [];
  const loadsDotenv = /['"]dotenv\/config['"]|\bdotenv\b[\s\S]{0,80}?\.config\s*\(|\bconfig\s*\(\s*\)|loadEnvFile\s*\(|['"]@next\/env['"]|loadEnvConfig\s*\(/.test(text);
  if (keys.length === 0) return { values, loadsDotenv };
  const keyPattern = new RegExp(String.raw`(?<![\w$.])['"]?(${keys.join('|')})['"]?\s*:\s*`, 'g');
  for (let m = keyPattern.exec(text); m !== null; m = keyPattern.exec(text)) {
    // A config has a handful of these; thousands is not a config, and reading each would take long.
    if (values.length >= maxValues) {
      values.push({ key: m[1], kind: 'opaque', text: `more than ${maxValues} connection keys` });
      break;
    }
    const key = m[1];
    const rest = text.slice(m.index + m[0].length);
    const expression = expressionAt(rest);
    values.push(readExpression(key, expression));
  }
  // Property shorthand (`{ url }`, `{ host, database }`): a variable of the file, opaque here.
  const shorthand = new RegExp(String.raw`[{,]\s*(${keys.join('|')})\s*(?=[,}])`, 'g');
  for (let m = shorthand.exec(text); m !== null; m = shorthand.exec(text)) values.push({ key: m[1], kind: 'opaque', text: m[1] });
  return { values, loadsDotenv };
}

const maxValues = 200;
const maxExpression = 2000;

/**
 * The expression that starts `text` and ends at a `,` `}` `;` or newline outside brackets and strings.
 * One longer than maxExpression is cut there (and so read as opaque).
 */
function expressionAt(text: string): string {
  let depth = 0;
  for (let i = 0; i < Math.min(text.length, maxExpression); i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return text.slice(0, i).trim();
      depth--;
    } else if ((c === ',' || c === ';' || c === '\n') && depth === 0) return text.slice(0, i).trim();
  }
  return text.slice(0, maxExpression).trim();
}

function readExpression(key: string, expression: string): ConfigValue {
  const bare = expression.replace(/\s+as\s+[\w.<>[\]]+$/, '').replace(/!$/, '').trim();
  const literal = new RegExp(`^(?:${stringLiteral})$`).exec(bare);
  if (literal) return { key, kind: 'literal', value: unescape(literal[1] ?? literal[2] ?? literal[3] ?? '') };
  // process.env.X, process.env.X!, process.env.X ?? 'fallback', String(process.env.X)
  const variable = new RegExp(`^(?:String\\()?(?:${envRef})!?\\)?\\s*(?:(?:\\?\\?|\\|\\|)\\s*(?:${stringLiteral}))?\\s*!?$`).exec(bare);
  if (variable) {
    const name = variable.slice(1, 7).find((g) => g !== undefined)!;
    const fallback = variable.slice(7).find((g) => g !== undefined);
    return { key, kind: 'variable', name, ...(fallback !== undefined ? { fallback: unescape(fallback) } : {}) };
  }
  return { key, kind: 'opaque', text: bare.length > 80 ? `${bare.slice(0, 77)}...` : bare };
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/**
 * The object literal that `key: {` opens (`production: { … }` in a knexfile), or undefined when the
 * file has no such key. Strings and comments are skipped when counting braces.
 */
export function sectionOf(source: string, key: string): string | undefined {
  const text = withoutComments(source);
  const m = new RegExp(String.raw`(?<![\w$.])['"]?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]?\s*:\s*\{`).exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].length - 1;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return text.slice(start);
}
