import type { Schemas } from "../api/client";

type Values<T> = readonly T[];

export const STAGES: Values<NonNullable<Schemas["ContactIn"]["lifecycle_stage"]>> = [
  "subscriber",
  "lead",
  "marketing_qualified",
  "telemarketing_accepted",
  "sales_ready",
  "sales_accepted",
  "opportunity",
  "customer",
  "disqualified",
];
export const CONSENT_LEVELS: Values<NonNullable<Schemas["ContactIn"]["consent_level"]>> = [
  "none",
  "transactional",
  "marketing",
  "profiling",
];
export const GENDERS: Values<NonNullable<Schemas["ContactIn"]["gender"]>> = ["female", "male", "other", "undisclosed"];
export const LANGUAGE_CODES = ["fr", "en", "de", "es", "it", "nl", "pt", "ar", "zh", "ja"] as const;

// The countries most marketers meet first; any ISO code typed in search is accepted too.
export const COUNTRY_CODES = [
  "FR", "BE", "CH", "LU", "MC", "CA", "GB", "IE", "US", "DE", "AT", "ES", "PT", "IT", "NL", "DK", "SE", "NO", "FI",
  "PL", "CZ", "RO", "GR", "MA", "DZ", "TN", "SN", "CI", "CM", "RE", "BR", "MX", "AR", "AU", "NZ", "JP", "CN", "IN",
  "SG", "AE", "ZA", "IL", "TR",
] as const;

export const STAGE_COLORS: Record<string, string> = {
  subscriber: "gray",
  lead: "blue",
  marketing_qualified: "cyan",
  telemarketing_accepted: "teal",
  sales_ready: "green",
  sales_accepted: "lime",
  opportunity: "yellow",
  customer: "violet",
  disqualified: "red",
};

export function countryName(code: string | null | undefined, language: string): string {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([language], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function languageName(code: string | null | undefined, language: string): string {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([language], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}
