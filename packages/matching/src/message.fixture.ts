import type { AttributeChange, AttributeValue, ChangeMessage } from '@hookline/contracts';

/** Attribute ids from the Rally seed's example change message. */
export const IDS = {
  Name: '500a0d67-9c48-4145-920c-821033e4a832',
  Project: 'ae8ecc9f-b9a0-42a4-a6e3-c83d7f8a7070',
  ScheduleState: 'aad205e0-2fbe-11e4-8c21-0800200c9a66',
  VersionId: 'f5b1fb22-6c15-44b5-a592-19189fafe5f2',
  PlanEstimate: 'id-plan-estimate',
  Workspace: 'id-workspace',
  CreationDate: 'id-creation-date',
  Blocked: 'id-blocked',
  Owner: 'id-owner',
  Tags: 'id-tags',
  ObjectID: 'id-object-id',
  FormattedID: 'id-formatted-id',
} as const;

export const PROJECT = {
  name: '0',
  ref: 'https://rally1.rallydev.com/slm/webservice/v2.x/project/749a8fd7-dfa9-421b-bec7-d86e01aa8b3a',
  detail_link: 'https://rally1.rallydev.com/slm/#/detail/project/18951302164',
  id: '749a8fd7-dfa9-421b-bec7-d86e01aa8b3a',
  object_type: 'Project',
};
export const DEFINED = {
  name: 'Defined',
  id: 'c7ce12e8-bb4f-457d-af13-accd7868edb1',
  order_index: 1,
  object_type: 'State',
};
export const IN_REVIEW = {
  name: 'In-review',
  id: '0955ce77-41a8-44cc-ba87-9de63749098e',
  order_index: 0,
  object_type: 'State',
};
export const WORKSPACE = {
  _ref: '/workspace/31685839',
  _refObjectUUID: '31685839-67fe-4f9d-9470-da56c222998b',
  _refObjectName: 'Main',
};
export const TAG_URGENT = { Name: 'urgent', ObjectUUID: 'tag-urgent' };
export const TAG_UI = { Name: 'ui', ObjectUUID: 'tag-ui' };
export const TAG_OLD = { Name: 'old', ObjectUUID: 'tag-old' };

function attr(name: keyof typeof IDS, value: unknown, type: string): [string, AttributeValue] {
  return [IDS[name], { value, type, name, display_name: name, ref: null }];
}

/** The Rally seed's example: a user story whose ScheduleState moved from In-review to Defined. */
export function storyMessage(overrides: Partial<ChangeMessage> = {}): ChangeMessage {
  const state = Object.fromEntries([
    attr('Name', 'My Cool Story', 'String'),
    attr('Project', PROJECT, 'Project'),
    attr('ScheduleState', DEFINED, 'State'),
    attr('VersionId', 8, 'Integer'),
    attr('PlanEstimate', 13, 'Decimal'),
    attr('Workspace', WORKSPACE, 'Workspace'),
    attr('CreationDate', '2016-06-23T20:54:26.978Z', 'Date'),
    attr('Blocked', false, 'Boolean'),
    attr('Owner', null, 'User'),
    attr('Tags', [TAG_URGENT, TAG_UI], 'Collection'),
    attr('ObjectID', 52790947441, 'Integer'),
    attr('FormattedID', 'US42', 'String'),
  ]);
  const changes: Record<string, AttributeChange> = {
    [IDS.VersionId]: { ...state[IDS.VersionId], old_value: 7 },
    [IDS.ScheduleState]: { ...state[IDS.ScheduleState], old_value: IN_REVIEW },
    [IDS.Tags]: { ...state[IDS.Tags], old_value: null, added: [TAG_UI], removed: [TAG_OLD] },
  };
  return {
    message_id: '6750d9fe-c289-478f-b188-39d483c9ea39',
    message_version: 2,
    subscription_id: 209,
    tenant: 'tenant-a',
    action: 'Updated',
    object_id: '6ab3d609-8011-47f8-2372-4d20ec313c20',
    object_type: 'HierarchicalRequirement',
    ref: 'https://rally1.rallydev.com/slm/webservice/v2.x/hierarchicalrequirement/6ab3d609-8011-47f8-2372-4d20ec313c20',
    state,
    changes,
    ingested_at: '2016-06-23T20:54:27.000Z',
    ...overrides,
  };
}
