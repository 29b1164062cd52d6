import { ConditionSyntaxError, type ComparisonOperator, type ConditionNode, type ConditionOperand } from './ast';
import { tokenize, type Token } from './lexer';

/** Deep enough for any hand-written condition, shallow enough that recursion cannot overflow. */
export const MAX_CONDITION_DEPTH = 64;

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of input';
    case 'lparen':
      return '"("';
    case 'rparen':
      return '")"';
    case 'op':
      return `"${t.op}"`;
    case 'keyword':
      return t.word;
    case 'operand':
      return t.operand.kind === 'field'
        ? 'a field reference'
        : `a ${t.operand.kind === 'null' ? '$NULL$' : t.operand.kind}`;
  }
}

/**
 * Parses a condition. Grammar, loosest first:
 *   or      := and ("OR" and)*
 *   and     := unary ("AND" unary)*
 *   unary   := "NOT" unary | "(" or ")" | operand op operand
 *   op      := "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE"
 *   operand := ${webhookContext.F} | "string" | number | $NULL$
 * Throws ConditionSyntaxError (and nothing else) for any input it rejects.
 */
export function parseCondition(text: string): ConditionNode {
  const parser = new Parser(tokenize(text));
  const node = parser.or(0);
  parser.expectEnd();
  return node;
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  private get token(): Token {
    return this.tokens[this.i];
  }

  private isKeyword(word: string): boolean {
    const t = this.token;
    return t.type === 'keyword' && t.word === word;
  }

  private error(expected: string): never {
    throw new ConditionSyntaxError(this.token.pos, `expected ${expected} but found ${describe(this.token)}`);
  }

  expectEnd(): void {
    if (this.token.type !== 'eof') this.error('AND, OR or the end of the condition');
  }

  or(depth: number): ConditionNode {
    return this.list('or', 'OR', () => this.and(depth));
  }

  private and(depth: number): ConditionNode {
    return this.list('and', 'AND', () => this.unary(depth));
  }

  private list(kind: 'and' | 'or', word: string, next: () => ConditionNode): ConditionNode {
    const first = next();
    if (!this.isKeyword(word)) return first;
    const operands = [first];
    while (this.isKeyword(word)) {
      this.i++;
      operands.push(next());
    }
    return { kind, operands };
  }

  private unary(depth: number): ConditionNode {
    if (depth >= MAX_CONDITION_DEPTH) {
      throw new ConditionSyntaxError(this.token.pos, `condition nests deeper than ${MAX_CONDITION_DEPTH} levels`);
    }
    const t = this.token;
    if (t.type === 'keyword' && t.word === 'NOT') {
      this.i++;
      return { kind: 'not', operand: this.unary(depth + 1) };
    }
    if (t.type === 'lparen') {
      this.i++;
      const inner = this.or(depth + 1);
      if (this.token.type !== 'rparen') this.error('")"');
      this.i++;
      return inner;
    }
    const left = this.operand('a comparison, NOT or "("');
    const o = this.token;
    let op: ComparisonOperator;
    if (o.type === 'op') op = o.op;
    else if (o.type === 'keyword' && o.word === 'LIKE') op = 'LIKE';
    else this.error('a comparison operator (=, !=, <, <=, >, >=, LIKE)');
    this.i++;
    const right = this.operand('a field reference, string, number or $NULL$');
    return { kind: 'compare', op, left, right };
  }

  private operand(expected: string): ConditionOperand {
    const t = this.token;
    if (t.type !== 'operand') this.error(expected);
    this.i++;
    return t.operand;
  }
}
