import { NumberInput, type NumberInputProps } from '@mantine/core';

/** The tenant a new key or user belongs to: only the operator's key may name one other than its own. */
export function TenantChoice(props: NumberInputProps) {
  return (
    <NumberInput
      label="Tenant (SubscriptionID)"
      description="The operator's key may make it for any tenant"
      min={1}
      allowDecimal={false}
      allowNegative={false}
      withAsterisk
      {...props}
    />
  );
}

/** The form's values as the API takes them: SubscriptionID only from the operator's key, as a number. */
export function withTenant<T extends { SubscriptionID: number | string }>(
  values: T,
  operator: boolean,
): Omit<T, 'SubscriptionID'> & { SubscriptionID?: number } {
  const { SubscriptionID, ...rest } = values;
  return operator ? { ...rest, SubscriptionID: Number(SubscriptionID) } : rest;
}
