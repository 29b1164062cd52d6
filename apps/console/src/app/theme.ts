import {
  Badge,
  colorsTuple,
  createTheme,
  mergeThemeOverrides,
  type CSSVariablesResolver,
  type MantineThemeOverride,
} from '@mantine/core';

// Shade 8 keeps white-on-primary and primary-on-white text above WCAG AA contrast (4.5:1).
export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  // A coloured dot beside body-coloured text: small badge text stays readable in every colour.
  components: { Badge: Badge.extend({ defaultProps: { variant: 'dot' } }) },
});

/** Colours used for states; their subtle and light variants get text dark or pale enough for AA contrast. */
const STATE_COLORS = ['green', 'red', 'yellow', 'orange', 'blue', 'gray', 'indigo'];

// Mantine's default dimmed grey is below WCAG AA contrast on both backgrounds (axe finds it).
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(STATE_COLORS.map((c) => [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-9)`])),
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    ...Object.fromEntries(STATE_COLORS.map((c) => [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-2)`])),
  },
});

/** The console in a tenant's accent colour: every shade the one colour, with text contrasted automatically. */
export function brandedTheme(accent: string | null): MantineThemeOverride {
  if (!accent) return theme;
  return mergeThemeOverrides(
    theme,
    createTheme({ colors: { brand: colorsTuple(accent) }, primaryColor: 'brand', autoContrast: true }),
  );
}
