import type { AttributeChange, AttributeValue, ChangeMessage } from '@hookline/contracts';

/** The parts of a change message that matching reads; dry runs may pass just these. */
export type MatchableMessage = Pick<ChangeMessage, 'action' | 'object_type' | 'state' | 'changes'>;

/** How a clause names an attribute: Rally's AttributeID (the key) or AttributeName (`name`). */
export type AttributeSelector = { id: string } | { name: string };

function indexByName<T extends AttributeValue>(map: Record<string, T>): Map<string, T> {
  const names = new Map<string, T>();
  // The first attribute with a name wins, as a scan in key order would find it.
  for (const key of Object.keys(map)) if (!names.has(map[key].name)) names.set(map[key].name, map[key]);
  return names;
}

/** Own keys only, so an id such as "constructor" cannot resolve to Object.prototype's. */
function own<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * One message's `state` and `changes` as the clauses of many webhooks read them. Lookups by name are indexed on
 * first use and shared by every webhook the message is tested against, which a scan per
 * expression would not be.
 */
export class MessageView {
  private stateNames?: Map<string, AttributeValue>;
  private changeNames?: Map<string, AttributeChange>;

  constructor(
    private readonly stateMap: Record<string, AttributeValue>,
    private readonly changesMap: Record<string, AttributeChange> = {},
  ) {}

  /** The attribute in `state`, by id (the key) or by name. */
  state(selector: AttributeSelector): AttributeValue | undefined {
    if ('id' in selector) return own(this.stateMap, selector.id);
    this.stateNames ??= indexByName(this.stateMap);
    return this.stateNames.get(selector.name);
  }

  /** The attribute in `changes`, by id (the key) or by name. */
  change(selector: AttributeSelector): AttributeChange | undefined {
    if ('id' in selector) return own(this.changesMap, selector.id);
    this.changeNames ??= indexByName(this.changesMap);
    return this.changeNames.get(selector.name);
  }

  /** A field that may be an id or a name (BMC conditions): the id wins. */
  field(idOrName: string): AttributeValue | undefined {
    return this.state({ id: idOrName }) ?? this.state({ name: idOrName });
  }
}
