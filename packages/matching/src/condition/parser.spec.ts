import { ConditionSyntaxError, type ConditionNode, type ConditionOperand } from './ast';
import { MAX_CONDITION_DEPTH, parseCondition } from './parser';
import { printCondition } from './printer';

const field = (f: string): ConditionOperand => ({ kind: 'field', field: f });
const str = (value: string): ConditionOperand => ({ kind: 'string', value });
const num = (value: number): ConditionOperand => ({ kind: 'number', value });
const NULL: ConditionOperand = { kind: 'null' };
const cmp = (
  left: ConditionOperand,
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE',
  right: ConditionOperand,
): ConditionNode => ({
  kind: 'compare',
  op,
  left,
  right,
});

function syntaxError(text: string): ConditionSyntaxError {
  try {
    parseCondition(text);
  } catch (err) {
    if (err instanceof ConditionSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe('parseCondition', () => {
  it('parses the BMC seed example', () => {
    expect(parseCondition('${webhookContext.536870913} = "High" AND  ${webhookContext.4} = $NULL$')).toEqual({
      kind: 'and',
      operands: [cmp(field('536870913'), '=', str('High')), cmp(field('4'), '=', NULL)],
    });
  });

  it('parses every comparison operator', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>=', 'LIKE'] as const) {
      expect(parseCondition(`\${webhookContext.7} ${op} 3`)).toEqual(cmp(field('7'), op, num(3)));
    }
  });

  it('needs no spaces around symbols', () => {
    expect(parseCondition('${webhookContext.7}>=-2.5e3')).toEqual(cmp(field('7'), '>=', num(-2500)));
    expect(parseCondition('(${webhookContext.7}!="a")')).toEqual(cmp(field('7'), '!=', str('a')));
  });

  it('takes field names as well as ids, trimmed', () => {
    expect(parseCondition('${webhookContext. Priority Level } LIKE "H%"')).toEqual(
      cmp(field('Priority Level'), 'LIKE', str('H%')),
    );
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    const a = cmp(field('a'), '=', num(1));
    const b = cmp(field('b'), '=', num(2));
    const c = cmp(field('c'), '=', num(3));
    expect(parseCondition('${webhookContext.a} = 1 OR ${webhookContext.b} = 2 AND ${webhookContext.c} = 3')).toEqual({
      kind: 'or',
      operands: [a, { kind: 'and', operands: [b, c] }],
    });
    expect(parseCondition('NOT ${webhookContext.a} = 1 AND ${webhookContext.b} = 2')).toEqual({
      kind: 'and',
      operands: [{ kind: 'not', operand: a }, b],
    });
    expect(parseCondition('NOT (${webhookContext.a} = 1 OR ${webhookContext.b} = 2)')).toEqual({
      kind: 'not',
      operand: { kind: 'or', operands: [a, b] },
    });
    expect(parseCondition('(${webhookContext.a} = 1 OR ${webhookContext.b} = 2) AND ${webhookContext.c} = 3')).toEqual({
      kind: 'and',
      operands: [{ kind: 'or', operands: [a, b] }, c],
    });
  });

  it('collects chains of the same connective into one node', () => {
    const node = parseCondition('"a" = "a" AND "b" = "b" AND "c" = "c" AND "d" = "d"');
    expect(node.kind).toBe('and');
    expect(node.kind === 'and' && node.operands).toHaveLength(4);
  });

  it('accepts keywords in any case', () => {
    expect(parseCondition('"a" = "a" and not "b" like "c"')).toEqual(parseCondition('"a" = "a" AND NOT "b" LIKE "c"'));
  });

  it('decodes string escapes', () => {
    expect(parseCondition(String.raw`"x" = "q\"b\\s\/n\nt\tr\ru\u00e9"`)).toEqual(
      cmp(str('x'), '=', str('q"b\\s/n\nt\tr\rué')),
    );
  });

  it('allows a long flat chain without deep recursion', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `\${webhookContext.${i}} = ${i}`).join(' OR ');
    const node = parseCondition(text);
    expect(node.kind === 'or' && node.operands).toHaveLength(5000);
  });

  describe('errors', () => {
    it.each([
      ['', 0, 'expected a comparison, NOT or "(" but found end of input'],
      ['${webhookContext.1} = ', 22, 'expected a field reference, string, number or $NULL$ but found end of input'],
      [
        '${webhookContext.1} "High"',
        20,
        'expected a comparison operator (=, !=, <, <=, >, >=, LIKE) but found a string',
      ],
      [
        '${webhookContext.1} = "High" ${webhookContext.2} = 1',
        29,
        'expected AND, OR or the end of the condition but found a field reference',
      ],
      ['(${webhookContext.1} = 1', 24, 'expected ")" but found end of input'],
      ['${webhookContext.1} = 1)', 23, 'expected AND, OR or the end of the condition but found ")"'],
      ['${webhookContext.1} = "High', 22, 'string is missing its closing quote'],
      ['${webhookContext.1} = "a\\qb"', 24, 'invalid escape "\\\\q" in string'],
      ['${webhookContext.1} = "\\u12"', 23, 'invalid escape "\\\\u" in string'],
      ['${webhookContext.1 = 1', 0, 'field reference is missing its closing "}"'],
      ['${webhookContext.  } = 1', 0, 'field reference names no field'],
      ['${other.1} = 1', 0, 'expected ${webhookContext.<field>} or $NULL$'],
      ['${webhookContext.1} = $USER$', 22, 'expected ${webhookContext.<field>} or $NULL$'],
      ['${webhookContext.1} = High', 22, 'unknown word "High"; strings need double quotes'],
      ['${webhookContext.1} ! 1', 20, 'expected "!=" but found "! "'],
      ['${webhookContext.1} = -x', 22, 'expected a number after "-"'],
      ['${webhookContext.1} = 1e999', 22, 'number "1e999" is out of range'],
      ['${webhookContext.1} = 1 AND', 27, 'expected a comparison, NOT or "(" but found end of input'],
      ['${webhookContext.1} == 1', 21, 'expected a field reference, string, number or $NULL$ but found "="'],
      ['${webhookContext.1} = 1 # x', 24, 'unexpected character "#"'],
      ['NOT', 3, 'expected a comparison, NOT or "(" but found end of input'],
      ['()', 1, 'expected a comparison, NOT or "(" but found ")"'],
    ])('%j fails at %d: %s', (text, position, message) => {
      const err = syntaxError(text);
      expect(err).toBeInstanceOf(ConditionSyntaxError);
      expect(err.name).toBe('ConditionSyntaxError');
      expect({ position: err.position, message: err.message }).toEqual({ position, message });
    });

    it('limits nesting instead of overflowing the stack', () => {
      expect(syntaxError('('.repeat(100_000)).message).toContain(`deeper than ${MAX_CONDITION_DEPTH}`);
      expect(syntaxError('NOT '.repeat(100_000)).message).toContain(`deeper than ${MAX_CONDITION_DEPTH}`);
      const ok = `${'('.repeat(MAX_CONDITION_DEPTH - 1)}1 = 1${')'.repeat(MAX_CONDITION_DEPTH - 1)}`;
      expect(parseCondition(ok)).toEqual(cmp(num(1), '=', num(1)));
    });
  });
});

describe('printCondition', () => {
  it('prints canonically with the parentheses the grammar needs', () => {
    const text =
      '${webhookContext.a}=1 or (${webhookContext.b}="x" OR $NULL$ != -0) and not (${webhookContext.c} like "%a\\"b%")';
    expect(printCondition(parseCondition(text))).toBe(
      '${webhookContext.a} = 1 OR (${webhookContext.b} = "x" OR $NULL$ != -0) AND NOT ${webhookContext.c} LIKE "%a\\"b%"',
    );
  });

  it('keeps nested groups of the same connective', () => {
    const text = '1 = 1 AND (2 = 2 AND 3 = 3)';
    expect(printCondition(parseCondition(text))).toBe(text);
    expect(printCondition(parseCondition('NOT (1 = 1 AND 2 = 2)'))).toBe('NOT (1 = 1 AND 2 = 2)');
    expect(printCondition(parseCondition('NOT NOT 1 = 1'))).toBe('NOT NOT 1 = 1');
  });

  it('escapes quotes, backslashes and line breaks in strings', () => {
    const node = cmp(str('a"b\\c\nd\te\rf'), '=', num(1e21));
    expect(printCondition(node)).toBe('"a\\"b\\\\c\\nd\\te\\rf" = 1e+21');
    expect(parseCondition(printCondition(node))).toEqual(node);
  });
});
