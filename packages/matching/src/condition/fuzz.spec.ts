import fc from 'fast-check';
import { ConditionSyntaxError, type ComparisonOperator, type ConditionNode, type ConditionOperand } from './ast';
import { parseCondition } from './parser';
import { printCondition } from './printer';

function parsesOrThrowsSyntaxError(text: string): void {
  let node: ConditionNode;
  try {
    node = parseCondition(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConditionSyntaxError);
    const { position } = err as ConditionSyntaxError;
    expect(Number.isInteger(position) && position >= 0 && position <= text.length).toBe(true);
    return;
  }
  // Whatever parses must print to text that parses back to the same tree.
  expect(parseCondition(printCondition(node))).toEqual(node);
}

/** Fragments of the grammar, so random inputs get past the lexer and exercise the parser. */
const fragment = fc.oneof(
  fc.constantFrom(
    '(',
    ')',
    '=',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    '!',
    'LIKE',
    'like',
    'AND',
    'OR',
    'NOT',
    'and',
    '$NULL$',
    '$',
    '-',
  ),
  fc.constantFrom(
    '"High"',
    '"',
    '"a\\"b"',
    '"\\u00e9"',
    '"\\x"',
    '"%"',
    '${webhookContext.4}',
    '${webhookContext.F',
    '${webhookContext.}',
    '${x}',
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ maxLength: 3 }),
);

const field = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .map((s) => s.replace(/}/g, '').trim())
  .filter((s) => s.length > 0);

const operand: fc.Arbitrary<ConditionOperand> = fc.oneof(
  field.map((f) => ({ kind: 'field' as const, field: f })),
  fc.string({ unit: 'binary', maxLength: 12 }).map((value) => ({ kind: 'string' as const, value })),
  fc
    .oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(-0, 1e21, 5e-324, -1.5, Number.MAX_VALUE),
    )
    .map((value) => ({ kind: 'number' as const, value })),
  fc.constant({ kind: 'null' as const }),
);

const op = fc.constantFrom<ComparisonOperator>('=', '!=', '<', '<=', '>', '>=', 'LIKE');

const { node } = fc.letrec<{ node: ConditionNode }>((tie) => ({
  node: fc.oneof(
    // Bounded well below MAX_CONDITION_DEPTH so every generated tree is printable and parseable.
    { depthSize: 'small', maxDepth: 8, withCrossShrink: true },
    fc.record({ kind: fc.constant('compare' as const), op, left: operand, right: operand }),
    fc.record({ kind: fc.constant('not' as const), operand: tie('node') }),
    fc.record({ kind: fc.constant('and' as const), operands: fc.array(tie('node'), { minLength: 2, maxLength: 4 }) }),
    fc.record({ kind: fc.constant('or' as const), operands: fc.array(tie('node'), { minLength: 2, maxLength: 4 }) }),
  ),
}));

describe('condition parser (property-based)', () => {
  it('never crashes on arbitrary text: it returns an AST or throws ConditionSyntaxError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), parsesOrThrowsSyntaxError), { numRuns: 3000 });
  });

  it('never crashes on random sequences of grammar fragments', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), fc.constantFrom(' ', '', '\n'), (parts, sep) =>
        parsesOrThrowsSyntaxError(parts.join(sep)),
      ),
      { numRuns: 5000 },
    );
  });

  it('re-parses a printed AST to the same AST', () => {
    fc.assert(
      fc.property(node, (ast) => {
        expect(parseCondition(printCondition(ast))).toEqual(ast);
      }),
      { numRuns: 2000 },
    );
  });
});
