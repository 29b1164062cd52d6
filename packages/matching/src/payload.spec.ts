import { IDS, storyMessage } from './message.fixture';
import { buildPayload, renderPayload, RULE_FIELDS, type WebhookRule } from './payload';

const rule: WebhookRule & Record<string, unknown> = {
  AppName: 'My Cool App',
  AppUrl: 'www.example.com',
  Name: 'My first webhook',
  TargetUrl: 'http://my.service.com/ready/to/receive/post',
  ObjectTypes: ['HierarchicalRequirement', 'Defect'],
  Expressions: [{ AttributeID: null, AttributeName: 'PlanEstimate', Operator: '>', Value: 10 }],
  CreatedBy: null,
  CreationDate: '2016-06-23T20:54:26.978Z',
  Disabled: false,
  LastUpdateDate: '2016-06-23T20:54:26.978Z',
  ObjectUUID: '51c8d135-a8ce-4bd2-9865-e3ec045cb47e',
  OwnerID: '4481dd2f-2810-4fb9-bd85-bb81daf2510c',
  SubscriptionID: 100,
  _objectVersion: 1,
  _ref: 'https://hookline.example/api/v2/webhook/51c8d135-a8ce-4bd2-9865-e3ec045cb47e',
  _type: 'webhook',
  // Not part of the payload's rule:
  Security: 's3cret',
  credentials: { username: 'admin', password: 'pw' },
  FireCount: 12,
};

const names = (map: Record<string, { name: string }>) =>
  Object.values(map)
    .map((a) => a.name)
    .sort();
const ALL = names(storyMessage().state);

describe('buildPayload', () => {
  it('puts the webhook, as the API shows it, in `rule` (seed: { rule, message })', () => {
    const { rule: out } = buildPayload(rule, storyMessage(), {});
    expect(Object.keys(out).sort()).toEqual(
      RULE_FIELDS.filter((f) => f !== 'Events' && f !== 'Condition')
        .slice()
        .sort(),
    );
    expect(out).toMatchObject({
      ObjectUUID: rule.ObjectUUID,
      Name: rule.Name,
      TargetUrl: rule.TargetUrl,
      CreatedBy: null,
    });
  });

  it('never copies Security, credentials or stats into the body', () => {
    const { rule: out } = buildPayload(rule, storyMessage(), {});
    expect(out).not.toHaveProperty('Security');
    expect(out).not.toHaveProperty('credentials');
    expect(out).not.toHaveProperty('FireCount');
  });

  it("sends the whole message, as Rally does, without Hookline's tenant and ingested_at", () => {
    const message = storyMessage();
    const { tenant: _tenant, ingested_at: _ingestedAt, ...outgoing } = message;
    expect(buildPayload(rule, message, {}).message).toEqual(outgoing);
    expect(buildPayload(rule, message, { IncludeAllFields: true, Fields: [] }).message).toEqual(outgoing);
    expect(buildPayload(rule, message, {}).message).not.toHaveProperty('tenant');
    expect(buildPayload(rule, message, {}).message).not.toHaveProperty('ingested_at');
    expect(message.tenant).toBe('tenant-a');
  });

  it('sends only the basic attributes, plus Fields, on a create with IncludeAllFields false (Octane)', () => {
    const created = storyMessage({ action: 'Created' });
    expect(names(buildPayload(rule, created, { IncludeAllFields: false }).message.state)).toEqual([
      'FormattedID',
      'ObjectID',
    ]);
    const withName = buildPayload(rule, created, { IncludeAllFields: false, Fields: ['Name'] }).message;
    expect(names(withName.state)).toEqual(['FormattedID', 'Name', 'ObjectID']);
  });

  it('limits state and changes to Fields, by id or name, always keeping the basic attributes', () => {
    const message = storyMessage();
    const { message: out } = buildPayload(rule, message, { Fields: ['Name', IDS.ScheduleState] });
    expect(names(out.state)).toEqual(['FormattedID', 'Name', 'ObjectID', 'ScheduleState']);
    expect(names(out.changes)).toEqual(['ScheduleState']);
    expect(out.state[IDS.ScheduleState]).toBe(message.state[IDS.ScheduleState]);
    // The envelope is untouched, and so is the input.
    expect(out.object_id).toBe(message.object_id);
    expect(out.action).toBe('Updated');
    expect(names(message.state)).toEqual(ALL);
  });

  it('matches numeric Fields (BMC payloadFieldIds) against string ids and names', () => {
    const message = storyMessage({
      state: {
        '7': { value: 0, type: 'Integer', name: 'Status', display_name: 'Status', ref: null },
        '8': { value: 'New Task', type: 'String', name: 'Description', display_name: 'Description', ref: null },
      },
      changes: {},
    });
    expect(Object.keys(buildPayload(rule, message, { Fields: [7] }).message.state)).toEqual(['7']);
  });

  it.each(['Deleted', 'Recycled'] as const)('sends only the basic attributes for %s, plus listed Fields', (action) => {
    const message = storyMessage({ action });
    expect(names(buildPayload(rule, message, {}).message.state)).toEqual(['FormattedID', 'ObjectID']);
    expect(buildPayload(rule, message, {}).message.changes).toEqual({});
    expect(names(buildPayload(rule, message, { Fields: ['Name'] }).message.state)).toEqual([
      'FormattedID',
      'Name',
      'ObjectID',
    ]);
    expect(names(buildPayload(rule, message, { IncludeAllFields: false }).message.state)).toEqual([
      'FormattedID',
      'ObjectID',
    ]);
    expect(names(buildPayload(rule, message, { IncludeAllFields: true, Fields: ['Name'] }).message.state)).toEqual([
      'FormattedID',
      'Name',
      'ObjectID',
    ]);
  });

  it.each(['Deleted', 'Recycled'] as const)(
    'sends the whole record for %s when IncludeAllFields is true and no Fields (ChangeGear)',
    (action) => {
      const message = storyMessage({ action });
      const { tenant: _tenant, ingested_at: _ingestedAt, ...outgoing } = message;
      expect(buildPayload(rule, message, { IncludeAllFields: true }).message).toEqual(outgoing);
      expect(buildPayload(rule, message, { IncludeAllFields: true, Fields: [] }).message).toEqual(outgoing);
    },
  );

  it('with IncludeAllFields=false on Updated, sends the changed attributes and the basic ones', () => {
    const { message: out } = buildPayload(rule, storyMessage(), { IncludeAllFields: false });
    expect(names(out.state)).toEqual(['FormattedID', 'ObjectID', 'ScheduleState', 'Tags', 'VersionId']);
    expect(names(out.changes)).toEqual(['ScheduleState', 'Tags', 'VersionId']);
  });

  it('with IncludeAllFields=false and Fields, sends the changed attributes among Fields', () => {
    const { message: out } = buildPayload(rule, storyMessage(), {
      IncludeAllFields: false,
      Fields: ['VersionId', 'Name'],
    });
    expect(names(out.state)).toEqual(['FormattedID', 'ObjectID', 'VersionId']);
    expect(names(out.changes)).toEqual(['VersionId']);
  });
});

describe('renderPayload', () => {
  it('is the { rule, message } body by default and for `rally`', () => {
    const message = storyMessage();
    expect(renderPayload(rule, message, {})).toEqual(buildPayload(rule, message, {}));
    expect(renderPayload(rule, message, { PayloadFormat: 'rally', IncludeAllFields: false })).toEqual(
      buildPayload(rule, message, { IncludeAllFields: false }),
    );
  });

  describe('`record` (BMC: flat, each field under its name)', () => {
    it('names the event and the record definition, then every field (create)', () => {
      const body = renderPayload(rule, storyMessage({ action: 'Created' }), { PayloadFormat: 'record' });
      expect(body).toMatchObject({
        recordEvent: 'create',
        recordDefinitionName: 'HierarchicalRequirement',
        Name: 'My Cool Story',
        PlanEstimate: 13,
        FormattedID: 'US42',
      });
      expect(Object.keys(body)).toHaveLength(2 + ALL.length);
      expect(body).not.toHaveProperty('rule');
      expect(body).not.toHaveProperty('tenant');
    });

    it('shows unchanged fields as null on update without includeAllFields', () => {
      const body = renderPayload(rule, storyMessage(), { PayloadFormat: 'record', IncludeAllFields: false });
      expect(body).toMatchObject({
        recordEvent: 'update',
        ScheduleState: expect.objectContaining({ name: 'Defined' }),
        VersionId: 8,
        Name: null,
        PlanEstimate: null,
        // The id fields are always sent.
        ObjectID: 52790947441,
      });
      expect(Object.keys(body)).toHaveLength(2 + ALL.length);
    });

    it('limits the fields to payloadFieldIds (Fields), keeping the id fields', () => {
      const body = renderPayload(rule, storyMessage(), {
        PayloadFormat: 'record',
        IncludeAllFields: false,
        Fields: ['Name', IDS.VersionId],
      });
      expect(body).toEqual({
        recordEvent: 'update',
        recordDefinitionName: 'HierarchicalRequirement',
        Name: null,
        VersionId: 8,
        ObjectID: 52790947441,
        FormattedID: 'US42',
      });
    });

    it('sends only the id fields on delete when not asked for all', () => {
      const body = renderPayload(rule, storyMessage({ action: 'Deleted' }), {
        PayloadFormat: 'record',
        IncludeAllFields: false,
      });
      expect(body).toEqual({
        recordEvent: 'delete',
        recordDefinitionName: 'HierarchicalRequirement',
        ObjectID: 52790947441,
        FormattedID: 'US42',
      });
    });
  });

  describe('`ticket` (ChangeGear: the bare record, keyed by name)', () => {
    it("is the whole record and nothing around it, on every event (the registry's default IncludeAllFields)", () => {
      for (const action of ['Created', 'Updated', 'Deleted'] as const) {
        const body = renderPayload(rule, storyMessage({ action }), { PayloadFormat: 'ticket', IncludeAllFields: true });
        expect(Object.keys(body).sort()).toEqual(ALL);
        expect(body).toMatchObject({ Name: 'My Cool Story', FormattedID: 'US42', PlanEstimate: 13, Owner: null });
      }
    });

    it('follows Fields like the other formats', () => {
      const body = renderPayload(rule, storyMessage(), { PayloadFormat: 'ticket', Fields: ['Name'] });
      expect(body).toEqual({ Name: 'My Cool Story', ObjectID: 52790947441, FormattedID: 'US42' });
    });
  });
});

describe('dialects', () => {
  const created = storyMessage({ action: 'Created' });
  const deleted = storyMessage({ action: 'Deleted', changes: {} });

  describe('octane', () => {
    it('sends id and type on create and delete, and every before/after change on update', () => {
      const octane = { Dialect: 'octane', IncludeAllFields: false } as const;
      expect(names(buildPayload(rule, created, octane).message.state)).toEqual(['FormattedID', 'ObjectID']);
      expect(names(buildPayload(rule, deleted, octane).message.state)).toEqual(['FormattedID', 'ObjectID']);
      const update = buildPayload(rule, storyMessage(), octane).message;
      expect(names(update.state)).toEqual(['FormattedID', 'ObjectID']);
      expect(update.changes).toEqual(storyMessage().changes);
    });

    it('adds the listed Fields to that default and never removes a change', () => {
      const withFields = { Dialect: 'octane', IncludeAllFields: false, Fields: ['Name', IDS.PlanEstimate] } as const;
      const update = buildPayload(rule, storyMessage(), withFields).message;
      expect(names(update.state)).toEqual(['FormattedID', 'Name', 'ObjectID', 'PlanEstimate']);
      // VersionId, ScheduleState and Tags changed and are not in Fields: still sent.
      expect(names(update.changes)).toEqual(['ScheduleState', 'Tags', 'VersionId']);
      expect(names(buildPayload(rule, created, withFields).message.state)).toEqual([
        'FormattedID',
        'Name',
        'ObjectID',
        'PlanEstimate',
      ]);
      // Without a dialect Fields narrows the changes too (webhooks stored before dialects keep that).
      expect(names(buildPayload(rule, storyMessage(), { Fields: ['Name'] }).message.changes)).toEqual([]);
    });
  });

  describe('bmc', () => {
    const bmc = { Dialect: 'bmc', PayloadFormat: 'record', IncludeAllFields: false, Fields: ['Name'] } as const;

    it('sends every created field whatever payloadFieldIds lists ("All the created field IDs are provided")', () => {
      const body = renderPayload(rule, created, bmc);
      expect(Object.keys(body)).toHaveLength(2 + ALL.length);
      expect(body).toMatchObject({ recordEvent: 'create', Name: 'My Cool Story', PlanEstimate: 13, VersionId: 8 });
      // Without a dialect, Fields limited the create too.
      expect(Object.keys(renderPayload(rule, created, { ...bmc, Dialect: undefined }))).toHaveLength(2 + 3);
    });

    it('lets includeAllFields decide updates only: the listed fields, unchanged ones null, or all fields', () => {
      expect(renderPayload(rule, storyMessage(), { ...bmc, Fields: ['Name', 'VersionId'] })).toEqual({
        recordEvent: 'update',
        recordDefinitionName: 'HierarchicalRequirement',
        Name: null,
        VersionId: 8,
        ObjectID: 52790947441,
        FormattedID: 'US42',
      });
      const all = renderPayload(rule, storyMessage(), { ...bmc, IncludeAllFields: true });
      expect(Object.keys(all)).toHaveLength(2 + ALL.length);
      expect(all).toMatchObject({ Name: 'My Cool Story', VersionId: 8 });
    });

    it("sends on delete the record definition name and the record's instance id only", () => {
      for (const IncludeAllFields of [false, true])
        expect(renderPayload(rule, deleted, { ...bmc, IncludeAllFields })).toEqual({
          recordEvent: 'delete',
          recordDefinitionName: 'HierarchicalRequirement',
          recordInstanceId: '6ab3d609-8011-47f8-2372-4d20ec313c20',
        });
    });
  });

  it('rally and changegear send the whole message or record on every event', () => {
    for (const action of ['Created', 'Updated', 'Deleted'] as const) {
      const message = storyMessage({ action });
      const { tenant: _t, ingested_at: _i, ...outgoing } = message;
      expect(buildPayload(rule, message, { Dialect: 'rally', IncludeAllFields: true }).message).toEqual(outgoing);
      const ticket = renderPayload(rule, message, {
        Dialect: 'changegear',
        PayloadFormat: 'ticket',
        IncludeAllFields: true,
      });
      expect(Object.keys(ticket).sort()).toEqual(ALL);
    }
  });
});
