// How the library writes an image's weight, in the user's language.
import i18n from "../../i18n";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return i18n.t("assets.bytes", { count: bytes });
  const megabytes = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(i18n.language, {
    style: "unit", unit: megabytes ? "megabyte" : "kilobyte", unitDisplay: "short", maximumFractionDigits: 1,
  }).format(bytes / (megabytes ? 1024 * 1024 : 1024));
}
