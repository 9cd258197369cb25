import { DEFAULT_THEME, Drawer, MantineProvider, Modal, Notification, type CSSVariablesResolver, createTheme, darken, luminance } from "@mantine/core";
import { type ReactNode, useMemo } from "react";
import { useTranslation } from "react-i18next";

// WCAG AA asks 4.5:1 for text; a little margin keeps text readable on the light grey surfaces too.
const READABLE = 4.7;

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** `shade` made darker, step by step, until it reads at READABLE against `background`. */
function readableOn(background: (color: string) => string, shade: string): string {
  let color = shade;
  for (let step = 0; step < 20 && contrast(color, background(color)) < READABLE; step += 1) color = darken(color, 0.05);
  return color;
}

// The "light" variants (active menu item, light badges and buttons) lay a 12% tint of the color on white.
function tint(color: string): string {
  const channel = (i: number) => Math.round(parseInt(color.slice(i, i + 2), 16) * 0.12 + 255 * 0.88);
  return `rgb(${channel(1)}, ${channel(3)}, ${channel(5)})`;
}

const PRIMARY_SHADE = 7;

// Every color's text, filled and light variants, at AA contrast: Mantine's defaults are not
// (indigo 6 on white is 4.3:1, green 6 on its light tint 2.2:1, dimmed grey 3.3:1).
const readableColors: Record<string, string> = {};
for (const [name, shades] of Object.entries(DEFAULT_THEME.colors)) {
  if (name === "dark") continue;
  const base = shades[PRIMARY_SHADE];
  const strong = readableOn(() => "#f1f3f5", base); // white text on it, or it as text on white and grey surfaces
  readableColors[`--mantine-color-${name}-filled`] = strong;
  readableColors[`--mantine-color-${name}-filled-hover`] = darken(strong, 0.1);
  readableColors[`--mantine-color-${name}-text`] = strong;
  readableColors[`--mantine-color-${name}-outline`] = strong;
  readableColors[`--mantine-color-${name}-light-color`] = readableOn(() => tint(base), shades[9]);
}

const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    ...readableColors,
    "--mantine-color-dimmed": readableOn(() => "#f1f3f5", DEFAULT_THEME.colors.gray[6]),
    "--mantine-color-error": readableColors["--mantine-color-red-text"],
    // Links (Anchor) use the primary color's own shade, not its "text" variant: #4263eb on a hovered grey row is 4.47:1.
    "--mantine-color-anchor": readableColors["--mantine-color-indigo-text"],
  },
  dark: {},
});

/** Mantine with the product's theme, in the user's language (dialogs' close buttons say what they do). */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const close = t("common.close");
  const theme = useMemo(
    () =>
      createTheme({
        primaryColor: "indigo",
        primaryShade: { light: PRIMARY_SHADE, dark: 8 },
        defaultRadius: "md",
        // A visible ring on whatever the keyboard focuses (not on mouse clicks).
        focusRing: "auto",
        components: {
          Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
          Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
          Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
        },
      }),
    [close],
  );
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      {children}
    </MantineProvider>
  );
}
