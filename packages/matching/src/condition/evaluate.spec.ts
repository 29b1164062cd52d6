import { MessageView } from '../attributes';
import { DEFINED, IDS, PROJECT, storyMessage } from '../message.fixture';
import { evaluateCondition, explainCondition, likeMatch } from './evaluate';
import { parseCondition } from './parser';

const msg = storyMessage();
const holds = (text: string) => evaluateCondition(parseCondition(text), msg);

describe('likeMatch', () => {
  it.each([
    ['High', 'High', true],
    ['High', 'high', false],
    ['High', 'H%', true],
    ['High', '%gh', true],
    ['High', '%i%', true],
    ['High', '%x%', false],
    ['High', '%', true],
    ['', '%', true],
    ['', '', true],
    ['a', '', false],
    ['High', 'Hi', false],
    ['High', 'H%h', true],
    ['Hig', 'H%h', false],
    ['aXbXc', 'a%b%c', true],
    ['abcbc', 'a%bc', true],
    ['abcbd', 'a%bc', false],
    ['100%', '100%%', true],
    ['a.b', 'a_b', false],
  ])('%j LIKE %j is %p', (text, pattern, expected) => {
    expect(likeMatch(text, pattern)).toBe(expected);
  });

  it('stays fast on adversarial patterns', () => {
    const started = Date.now();
    expect(likeMatch('a'.repeat(20_000), `${'%a'.repeat(50)}b`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('evaluateCondition', () => {
  it('resolves fields by attribute id, then by name', () => {
    expect(holds(`\${webhookContext.${IDS.Name}} = "My Cool Story"`)).toBe(true);
    expect(holds('${webhookContext.Name} = "My Cool Story"')).toBe(true);
    expect(holds('${webhookContext.Name} = "Other"')).toBe(false);
  });

  it('reads a missing field as $NULL$ (the seed: "unassigned")', () => {
    expect(holds('${webhookContext.4} = $NULL$')).toBe(true);
    expect(holds('${webhookContext.Owner} = $NULL$')).toBe(true);
    expect(holds('${webhookContext.Name} = $NULL$')).toBe(false);
    expect(holds('${webhookContext.Name} != $NULL$')).toBe(true);
    expect(holds('${webhookContext.4} != "x"')).toBe(true);
    expect(holds('$NULL$ = $NULL$')).toBe(true);
  });

  it('evaluates the seed example: high priority and unassigned', () => {
    const condition = parseCondition('${webhookContext.536870913} = "High" AND  ${webhookContext.4} = $NULL$');
    const record = (priority: string, assignee: string | null) =>
      storyMessage({
        state: {
          p: { value: priority, type: 'String', name: '536870913', display_name: 'Priority', ref: null },
          a: { value: assignee, type: 'String', name: '4', display_name: 'Assignee', ref: null },
        },
      });
    expect(evaluateCondition(condition, record('High', null))).toBe(true);
    expect(evaluateCondition(condition, record('Low', null))).toBe(false);
    expect(evaluateCondition(condition, record('High', 'bob'))).toBe(false);
  });

  it('compares numbers, dates, booleans and references like expressions do', () => {
    expect(holds('${webhookContext.PlanEstimate} > 10')).toBe(true);
    expect(holds('${webhookContext.PlanEstimate} <= 12')).toBe(false);
    expect(holds('${webhookContext.PlanEstimate} = "13"')).toBe(true);
    expect(holds('${webhookContext.CreationDate} < "2016-06-24"')).toBe(true);
    expect(holds('${webhookContext.CreationDate} >= "2016-06-24"')).toBe(false);
    expect(holds('${webhookContext.Blocked} = "false"')).toBe(true);
    expect(holds(`\${webhookContext.Project} = "${PROJECT.id}"`)).toBe(true);
    expect(holds('${webhookContext.ScheduleState} = "Defined"')).toBe(true);
    expect(holds('${webhookContext.ScheduleState} > "A"')).toBe(false);
    expect(holds('${webhookContext.Owner} < 5')).toBe(false);
    expect(holds('${webhookContext.Name} = ${webhookContext.Name}')).toBe(true);
    expect(holds('${webhookContext.VersionId} < ${webhookContext.PlanEstimate}')).toBe(true);
  });

  it('matches LIKE against strings, numbers, reference names and collection elements', () => {
    expect(holds('${webhookContext.Name} LIKE "My%Story"')).toBe(true);
    expect(holds('${webhookContext.Name} LIKE "%cool%"')).toBe(false);
    expect(holds('${webhookContext.PlanEstimate} LIKE "1%"')).toBe(true);
    expect(holds('${webhookContext.ObjectID} LIKE 52790947441')).toBe(true);
    expect(holds('${webhookContext.ScheduleState} LIKE "Def%"')).toBe(true);
    expect(holds(`\${webhookContext.ScheduleState} LIKE "${DEFINED.id.slice(0, 8)}%"`)).toBe(true);
    expect(holds('${webhookContext.Tags} LIKE "urg%"')).toBe(true);
    expect(holds('${webhookContext.Tags} LIKE "old"')).toBe(false);
    expect(holds('${webhookContext.Owner} LIKE "%"')).toBe(false);
    expect(holds('${webhookContext.Name} LIKE $NULL$')).toBe(false);
  });

  it('applies NOT, AND and OR', () => {
    expect(holds('NOT ${webhookContext.Name} = "x"')).toBe(true);
    expect(holds('${webhookContext.Name} = "x" OR ${webhookContext.PlanEstimate} = 13')).toBe(true);
    expect(holds('${webhookContext.Name} = "x" OR ${webhookContext.PlanEstimate} = 12')).toBe(false);
    expect(holds('${webhookContext.Name} != "x" AND ${webhookContext.PlanEstimate} = 13')).toBe(true);
    expect(holds('${webhookContext.Name} != "x" AND NOT (${webhookContext.PlanEstimate} = 13 OR 1 = 2)')).toBe(false);
  });
});

describe('explainCondition', () => {
  it('names the comparison that made an AND false, with the field value', () => {
    const node = parseCondition('${webhookContext.Name} != $NULL$ AND ${webhookContext.PlanEstimate} > 20');
    expect(explainCondition(node, new MessageView(msg.state))).toBe(
      '${webhookContext.PlanEstimate} (13) > 20 is false',
    );
  });

  it('lists every branch of a false OR and explains a false NOT', () => {
    const node = parseCondition('${webhookContext.Owner} = "ann" OR NOT ${webhookContext.Blocked} = "false"');
    expect(explainCondition(node, new MessageView(msg.state))).toBe(
      '${webhookContext.Owner} (null) = "ann" is false; NOT is false because ${webhookContext.Blocked} = "false" is true',
    );
  });
});
