/** class-transformer keeps its decorators' metadata here and ships no types for the module. */
declare module 'class-transformer/cjs/storage' {
  import type { TransformationType } from 'class-transformer';

  interface TypeMetadata {
    typeFunction: (options?: unknown) => unknown;
    options?: { discriminator?: unknown };
  }

  export const defaultMetadataStorage: {
    findTypeMetadata(target: object, propertyName: string): TypeMetadata | undefined;
    findTransformMetadatas(target: object, propertyName: string, transformationType: TransformationType): unknown[];
    getStrategy(target: object): 'excludeAll' | 'exposeAll' | 'none';
    getExposedMetadatas(target: object): unknown[];
    getExcludedMetadatas(target: object): unknown[];
  };
}
