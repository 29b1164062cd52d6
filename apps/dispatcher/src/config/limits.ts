/**
 * Jobs one instance works on at once: the global cap (the DELIVERIES consumer's concurrency, which
 * is fixed when the handler is declared, hence a constant rather than a setting).
 */
export const DISPATCH_CONCURRENCY = 256;

/**
 * Handlers always left for other origins: one origin may queue past ORIGIN_QUEUE_LIMIT (a single
 * busy receiver then gets the whole instance) only while this many stay free for everyone else.
 */
export const RESERVED_FOR_OTHER_ORIGINS = DISPATCH_CONCURRENCY / 4;
