/** A Map that forgets its oldest entries beyond `max`. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}

/** A Set that forgets its oldest members beyond `max`. */
export class BoundedSet<T> extends Set<T> {
  constructor(private readonly max: number) {
    super();
  }

  override add(value: T): this {
    super.add(value);
    if (this.size > this.max) this.delete(this.values().next().value as T);
    return this;
  }
}
