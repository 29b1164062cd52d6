/** Fields marked @Opaque, per class prototype. */
const OPAQUE = new WeakMap<object, string[]>();

/**
 * A JSON field a JetStream consumer takes as it was parsed: the consumer runner keeps it out of
 * class-transformer, which otherwise copies every nested object it is given (a delivery body, a
 * change's state and changes), and puts it back before validation, so its validators still run.
 * Top-level fields of a consumer's payload class only. Nothing else reads this mark: HTTP bodies
 * of the same class are transformed whole, as before.
 */
export function Opaque(): PropertyDecorator {
  return (target, key) => {
    OPAQUE.set(target, [...(OPAQUE.get(target) ?? []), String(key)]);
  };
}

/** The @Opaque fields of a class, its base classes' included. */
export function opaqueFieldsOf(cls: abstract new (...args: never[]) => unknown): readonly string[] {
  const fields: string[] = [];
  for (let proto: object | null = cls.prototype as object; proto; proto = Object.getPrototypeOf(proto) as object | null)
    fields.push(...(OPAQUE.get(proto) ?? []));
  return fields;
}
