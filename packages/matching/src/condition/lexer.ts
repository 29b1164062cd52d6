import { ConditionSyntaxError, type ComparisonOperator, type ConditionOperand } from './ast';

export type Keyword = 'AND' | 'OR' | 'NOT' | 'LIKE';

export type Token = { pos: number } & (
  | { type: 'lparen' | 'rparen' | 'eof' }
  | { type: 'op'; op: Exclude<ComparisonOperator, 'LIKE'> }
  | { type: 'keyword'; word: Keyword }
  | { type: 'operand'; operand: ConditionOperand }
);

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['AND', 'OR', 'NOT', 'LIKE']);
const FIELD_PREFIX = '${webhookContext.';
const NULL_LITERAL = '$NULL$';
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', r: '\r', t: '\t' };

function shown(text: string): string {
  return JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}...` : text);
}

/** Splits a condition into tokens; the first bad character is a ConditionSyntaxError. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', pos: i });
      i++;
    } else if (c === '=') {
      tokens.push({ type: 'op', op: '=', pos: i });
      i++;
    } else if (c === '!') {
      if (text[i + 1] !== '=')
        throw new ConditionSyntaxError(i, `expected "!=" but found ${shown(text.slice(i, i + 2))}`);
      tokens.push({ type: 'op', op: '!=', pos: i });
      i += 2;
    } else if (c === '<' || c === '>') {
      const withEquals = text[i + 1] === '=';
      tokens.push({ type: 'op', op: withEquals ? (c === '<' ? '<=' : '>=') : c, pos: i });
      i += withEquals ? 2 : 1;
    } else if (c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ type: 'operand', operand: { kind: 'string', value }, pos: i });
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) throw new ConditionSyntaxError(i, `expected a number after "-"`);
      const value = Number(m[0]);
      if (!Number.isFinite(value)) throw new ConditionSyntaxError(i, `number ${shown(m[0])} is out of range`);
      tokens.push({ type: 'operand', operand: { kind: 'number', value }, pos: i });
      i += m[0].length;
    } else if (text.startsWith(FIELD_PREFIX, i)) {
      const close = text.indexOf('}', i);
      if (close < 0) throw new ConditionSyntaxError(i, 'field reference is missing its closing "}"');
      const field = text.slice(i + FIELD_PREFIX.length, close).trim();
      if (field === '') throw new ConditionSyntaxError(i, 'field reference names no field');
      tokens.push({ type: 'operand', operand: { kind: 'field', field }, pos: i });
      i = close + 1;
    } else if (text.startsWith(NULL_LITERAL, i)) {
      tokens.push({ type: 'operand', operand: { kind: 'null' }, pos: i });
      i += NULL_LITERAL.length;
    } else if (c === '$') {
      throw new ConditionSyntaxError(i, 'expected ${webhookContext.<field>} or $NULL$');
    } else {
      WORD.lastIndex = i;
      const m = WORD.exec(text);
      if (m === null) throw new ConditionSyntaxError(i, `unexpected character ${JSON.stringify(c)}`);
      // Keywords are case-insensitive so a hand-typed "and" is not a syntax error.
      const word = m[0].toUpperCase();
      if (!KEYWORDS.has(word))
        throw new ConditionSyntaxError(i, `unknown word ${shown(m[0])}; strings need double quotes`);
      tokens.push({ type: 'keyword', word: word as Keyword, pos: i });
      i += m[0].length;
    }
  }
  tokens.push({ type: 'eof', pos: text.length });
  return tokens;
}

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === 'u' && HEX4.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
    } else {
      throw new ConditionSyntaxError(i, `invalid escape ${shown(text.slice(i, i + 2))} in string`);
    }
  }
  throw new ConditionSyntaxError(start, 'string is missing its closing quote');
}
