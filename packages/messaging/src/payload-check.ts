import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, ValidationTypes, type MetadataStorage, type ValidationArguments } from 'class-validator';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** Says whether a parsed JSON value satisfies a payload class; false may also mean "ask class-validator". */
export type PayloadCheck = (value: unknown) => boolean;

interface Rule {
  validate: (value: unknown, args: ValidationArguments) => boolean;
  each: boolean;
  constraints: unknown[];
  validateIf?: (object: object, value: unknown) => boolean;
}

interface PropertyCheck {
  property: string;
  /** IsOptional and ValidateIf: every one must hold for the rules to apply. */
  conditions: ((object: object, value: unknown) => boolean)[];
  rules: Rule[];
  /** The class of a @ValidateNested property, from its @Type. */
  nested?: () => ClassCheck;
}

interface ClassCheck {
  name: string;
  properties: PropertyCheck[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Compiles a payload class into a check that runs its class-validator constraints straight on the
 * parsed JSON, several times cheaper than class-transformer's copy and validateSync on every
 * message (docs/decisions/010-delivery-hot-path.md). It calls the same constraint functions
 * with the same arguments and applies IsOptional the same way, so a payload it accepts is one
 * validateSync would accept; whatever it rejects is handed to the full path, which names the
 * faults. Null when a class uses anything it does not model (class-transformer transforms or
 * exposure, groups, async or IsDefined constraints, nested values without @Type, a class without
 * rules or with field initialisers): then only the full path runs.
 */
export function compilePayloadCheck(cls: new () => object): PayloadCheck | null {
  const compiled = new Map<new () => object, ClassCheck | null>();
  const root = compileClass(cls, compiled);
  if (!root || [...compiled.values()].some((c) => c === null)) return null;
  return (value) => checkObject(root, value);
}

function compileClass(cls: new () => object, compiled: Map<new () => object, ClassCheck | null>): ClassCheck | null {
  if (compiled.has(cls)) return compiled.get(cls)!;
  compiled.set(cls, null);
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls, '', false, false);
  const initialised = Object.values(new cls()).some((v) => v !== undefined);
  if (metadatas.length === 0 || initialised || transformsPlain(cls, metadatas)) return null;
  const properties = new Map<string, PropertyCheck>();
  for (const metadata of metadatas) {
    if (typeof metadata.target === 'string' || (metadata.groups?.length ?? 0) > 0 || metadata.always) return null;
    const property = properties.get(metadata.propertyName) ?? {
      property: metadata.propertyName,
      conditions: [],
      rules: [],
    };
    properties.set(metadata.propertyName, property);
    switch (metadata.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        property.conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.CUSTOM_VALIDATION: {
        const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
        if (constraints.some((c) => c.async)) return null;
        for (const constraint of constraints)
          property.rules.push({
            validate: (value, args) => constraint.instance.validate(value, args) as boolean,
            each: metadata.each,
            constraints: metadata.constraints,
            validateIf: metadata.validateIf,
          });
        break;
      }
      case ValidationTypes.NESTED_VALIDATION: {
        const type = defaultMetadataStorage.findTypeMetadata(cls, metadata.propertyName);
        if (!type || type.options?.discriminator) return null;
        const nestedClass = type.typeFunction() as new () => object;
        // Null while it is being compiled (a cycle) or for good; compilePayloadCheck tells which at the end.
        compileClass(nestedClass, compiled);
        property.nested = () => compiled.get(nestedClass)!;
        break;
      }
      default:
        return null;
    }
  }
  const check = { name: cls.name, properties: [...properties.values()] };
  compiled.set(cls, check);
  return check;
}

/** Whether class-transformer would change any value of the class while making an instance of it. */
function transformsPlain(cls: new () => object, metadatas: readonly ValidationMetadata[]): boolean {
  if (defaultMetadataStorage.getStrategy(cls) !== 'none') return true;
  if (defaultMetadataStorage.getExposedMetadatas(cls).length > 0) return true;
  if (defaultMetadataStorage.getExcludedMetadatas(cls).length > 0) return true;
  return metadatas.some(
    (m) =>
      defaultMetadataStorage.findTransformMetadatas(cls, m.propertyName, TransformationType.PLAIN_TO_CLASS).length > 0,
  );
}

function checkObject(check: ClassCheck, object: unknown): boolean {
  if (!isPlainObject(object)) return false;
  for (const property of check.properties) {
    const value = object[property.property];
    if (!property.conditions.every((condition) => condition(object, value))) continue;
    for (const rule of property.rules) {
      if (rule.validateIf && !rule.validateIf(object, value)) continue;
      const args: ValidationArguments = {
        targetName: check.name,
        property: property.property,
        object,
        value,
        constraints: rule.constraints,
      };
      const valid =
        rule.each && Array.isArray(value)
          ? value.every((item) => rule.validate(item, args))
          : rule.validate(value, args);
      if (!valid) return false;
    }
    if (property.nested && value !== undefined) {
      const nested = property.nested();
      // An array of objects, each of the @Type class; anything else is the full path's to judge.
      const valid = Array.isArray(value)
        ? value.every((item) => checkObject(nested, item))
        : checkObject(nested, value);
      if (!valid) return false;
    }
  }
  return true;
}
